package io.executionpoller.dashboard;

import io.quarkus.qute.TemplateData;
import java.util.List;

/** One execution: its key fields, newest events, and a preview of its stored result. */
@TemplateData
public record DetailPage(
    String id,
    String title,
    StatusLook look,
    List<Field> fields,
    List<Event> events,
    boolean olderEvents,
    String eventsApi,
    Result result,
    List<Delivery> deliveries,
    String deliveriesApi,
    long refreshSeconds,
    String generatedAt,
    String liveStream) {

  /** One webhook delivery of the execution: where it stands and what the receiver last said. */
  @TemplateData
  public record Delivery(
      String id, String eventType, String status, int attempts, String lastAnswer, String next) {}

  /** A labelled value; {@code href} when it links to another execution. */
  @TemplateData
  public record Field(String label, String value, String href, boolean code) {}

  /** One entry of the audit trail. */
  @TemplateData
  public record Event(
      long sequence,
      String occurredAt,
      String type,
      int attempt,
      String transition,
      String remoteStatus,
      String message,
      String replica) {}

  /**
   * The download step: {@code status} (PENDING, DOWNLOADING, STORED or FAILED), and once STORED the
   * files with their download links and the first rows.
   */
  @TemplateData
  public record Result(
      String status,
      String summary,
      String lastError,
      List<File> files,
      List<String> columns,
      List<List<String>> preview,
      String previewNote) {}

  /**
   * One stored file: {@code href} serves it as it came under the dashboard's sign-in; {@code api}
   * is the same file's API address, for scripts.
   */
  @TemplateData
  public record File(String name, String rows, String size, String href, String api) {}
}
