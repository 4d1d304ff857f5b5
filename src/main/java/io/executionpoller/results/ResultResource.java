package io.executionpoller.results;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.executionpoller.api.ApiProblem;
import io.executionpoller.api.QueryParams;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Serves stored results from the database, so every replica serves every result. Rows and bytes are
 * streamed: neither a page of rows nor a file is assembled in memory.
 */
@Tag(name = "results")
@Path("/api/v1/executions/{id}/results")
public class ResultResource {

  /** Header carrying the hex SHA-256 of the served file (also sent as RFC 9530 Repr-Digest). */
  public static final String SHA256_HEADER = "X-Content-SHA256";

  private static final JsonFactory JSON = new JsonFactory();

  private final ResultQueries queries;
  private final ResultsConfig config;

  ResultResource(ResultQueries queries, ResultsConfig config) {
    this.queries = queries;
    this.config = config;
  }

  @Operation(summary = "The result step and, once stored, its files and a preview")
  /** The result's state, its files and a preview of its first rows. */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public ResultView summary(@PathParam("id") String id) throws SQLException {
    UUID executionId = QueryParams.uuid("id", id);
    ResultSummary summary = find(executionId);
    List<Map<String, String>> preview = new ArrayList<>();
    if (ResultStatus.STORED.name().equals(summary.status())) {
      try {
        PageBudget budget = new PageBudget(config.maxPageBytes().asLongValue(), summary.columns());
        queries.rows(
            executionId,
            0,
            config.previewRows(),
            (number, fields) -> {
              if (!budget.admits(fields)) {
                return false;
              }
              preview.add(keyed(summary.columns(), fields));
              return true;
            });
      } catch (java.io.IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new ResultView(summary, preview);
  }

  @Operation(summary = "Rows of a stored result as JSON objects, streamed")
  /** Rows {@code offset+1 .. offset+limit} as JSON objects keyed by column, streamed. */
  @GET
  @Path("/rows")
  @Produces(MediaType.APPLICATION_JSON)
  public Response rows(
      @PathParam("id") String id,
      @QueryParam("offset") String offsetParam,
      @QueryParam("limit") String limitParam)
      throws SQLException {
    UUID executionId = QueryParams.uuid("id", id);
    long offset = QueryParams.wholeNumber("offset", offsetParam, 0, 0, Long.MAX_VALUE / 2);
    int limit = (int) QueryParams.wholeNumber("limit", limitParam, 100, 1, config.maxPageSize());
    ResultSummary summary = stored(find(executionId));
    List<String> columns = summary.columns();
    // The page (at most max-page-size rows and max-page-bytes) is read first, so no pooled
    // connection waits on a slow client; it is then written out row by row.
    List<List<String>> page = new ArrayList<>(Math.min(limit, 128));
    PageBudget budget = new PageBudget(config.maxPageBytes().asLongValue(), columns);
    try {
      queries.rows(
          executionId,
          offset,
          limit,
          (number, fields) -> {
            if (!budget.admits(fields)) {
              return false;
            }
            page.add(fields);
            return true;
          });
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
    long next = offset + page.size();
    Long nextOffset = summary.rowCount() != null && next < summary.rowCount() ? next : null;
    StreamingOutput body =
        out -> {
          try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeNumberField("offset", offset);
            json.writeNumberField("limit", limit);
            json.writeNumberField("total", summary.rowCount());
            // Where the next page starts; a page ends early when max-page-bytes is reached.
            if (nextOffset == null) {
              json.writeNullField("nextOffset");
            } else {
              json.writeNumberField("nextOffset", nextOffset);
            }
            json.writeArrayFieldStart("columns");
            for (String column : columns) {
              json.writeString(column);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("rows");
            for (List<String> fields : page) {
              json.writeStartObject();
              for (int i = 0; i < columns.size(); i++) {
                json.writeStringField(columns.get(i), i < fields.size() ? fields.get(i) : null);
              }
              json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
          }
        };
    return Response.ok(body, MediaType.APPLICATION_JSON).build();
  }

  @Operation(summary = "One stored file as it came, streamed")
  /** One file of the result as it came (gzip undone), streamed, with its length and SHA-256. */
  @GET
  @Path("/download")
  public Response download(@PathParam("id") String id, @QueryParam("file") String fileParam)
      throws SQLException {
    UUID executionId = QueryParams.uuid("id", id);
    ResultSummary summary = stored(find(executionId));
    int index = (int) QueryParams.wholeNumber("file", fileParam, 0, 0, Integer.MAX_VALUE);
    if (index >= summary.files().size()) {
      throw ApiProblem.notFound(
          "the result has " + summary.files().size() + " file(s); there is no file " + index);
    }
    ResultSummary.StoredFile file = summary.files().get(index);
    StreamingOutput body =
        out -> {
          try {
            queries.copyFile(executionId, file.index(), file.segmentCount(), out);
          } catch (SQLException e) {
            throw new java.io.IOException("reading the file failed", e);
          }
        };
    String type =
        file.contentType() != null
            ? file.contentType()
            : "JSON".equals(file.format()) ? MediaType.APPLICATION_JSON : "text/csv";
    byte[] digest = HexFormat.of().parseHex(file.sha256());
    return Response.ok(body, type)
        .header(HttpHeaders.CONTENT_LENGTH, file.bytes())
        .header(SHA256_HEADER, file.sha256())
        .header(
            "Repr-Digest", "sha-256=:" + java.util.Base64.getEncoder().encodeToString(digest) + ":")
        .header("Content-Disposition", "attachment; filename=\"" + safeName(file.name()) + "\"")
        .build();
  }

  private ResultSummary find(UUID executionId) throws SQLException {
    ResultSummary summary =
        queries
            .summary(executionId)
            .orElseThrow(() -> ApiProblem.notFound("execution " + executionId + " does not exist"));
    if (summary.status() == null) {
      throw ApiProblem.notFound(
          "execution "
              + executionId
              + " has no result: it is "
              + summary.executionStatus()
              + ", results come with SUCCESS");
    }
    return summary;
  }

  private static ResultSummary stored(ResultSummary summary) {
    if (!ResultStatus.STORED.name().equals(summary.status())) {
      throw new ApiProblem(
          409,
          "the result is "
              + summary.status()
              + ", not STORED"
              + (summary.lastError() == null ? "" : ": " + summary.lastError()));
    }
    return summary;
  }

  private static Map<String, String> keyed(List<String> columns, List<String> fields) {
    Map<String, String> row = new LinkedHashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      row.put(columns.get(i), i < fields.size() ? fields.get(i) : null);
    }
    return row;
  }

  /**
   * Bounds a page by bytes as well as rows: rows are admitted while the names and values sent so
   * far (UTF-16 chars, a fair estimate of the JSON) stay within the budget. The first row is always
   * admitted (a record is bounded when stored), so a page always moves the reader on.
   */
  private static final class PageBudget {
    /** Quotes, colon and comma around each field in the JSON. */
    private static final int FIELD_OVERHEAD = 6;

    private final long budget;
    private final long namesLength;
    private final int fieldCount;
    private long used;
    private boolean first = true;

    PageBudget(long budget, List<String> columns) {
      this.budget = budget;
      this.fieldCount = columns.size();
      this.namesLength = columns.stream().mapToLong(String::length).sum();
    }

    boolean admits(List<String> fields) {
      long size = namesLength + (long) FIELD_OVERHEAD * fieldCount + 2;
      for (String field : fields) {
        size += field == null ? 4 : field.length();
      }
      if (!first && used + size > budget) {
        return false;
      }
      first = false;
      used += size;
      return true;
    }
  }

  /** File names come from URLs; keep header-safe characters only. */
  private static String safeName(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** GET /results: the summary and the first rows. */
  public record ResultView(ResultSummary result, List<Map<String, String>> preview) {}
}
