package io.executionpoller.process;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link SimulatedAmc} for all tests of a class, started before the first and stopped after the
 * last: {@code @RegisterExtension static final AmcPerClass AMC = new AmcPerClass("name");}.
 */
final class AmcPerClass implements BeforeAllCallback, AfterAllCallback {

  private final String name;
  private final Map<String, String> settings;
  private SimulatedAmc amc;

  AmcPerClass(String name) {
    this(name, Map.of());
  }

  /** With extra simulator settings ({@code POLLER_SIMULATOR_*}). */
  AmcPerClass(String name, Map<String, String> settings) {
    this.name = name;
    this.settings = Map.copyOf(settings);
  }

  /** The running AMC; only between the class's first and last test. */
  SimulatedAmc get() {
    if (amc == null) {
      throw new IllegalStateException(name + " is not running");
    }
    return amc;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    amc = SimulatedAmc.start(name, settings);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (amc != null) {
      amc.close();
      amc = null;
    }
  }
}
