package io.executionpoller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs promtool (Debian package prometheus; .ci/run installs it). Fails, never skips, without it:
 * the CI image must have it.
 */
final class Promtool {

  /** What promtool printed (standard output and error together) and its exit code. */
  record Run(String output, int exitCode) {}

  private Promtool() {}

  /** Runs {@code promtool args} in {@code directory}, writing {@code stdin} (may be null). */
  static Run run(Path directory, Path stdin, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(path().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
    if (stdin != null) {
      builder.redirectInput(stdin.toFile());
    }
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Run(output, process.exitValue());
  }

  static Path path() {
    Path standard = Path.of("/usr/bin/promtool");
    if (Files.isExecutable(standard)) {
      return standard;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir, "promtool");
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(
        "promtool not found (/usr/bin/promtool or PATH): install the Debian package prometheus"
            + " (apt-get install -y --no-install-recommends prometheus; .ci/run does)");
  }
}
