package io.executionpoller.results;

import io.executionpoller.failure.ErrorClassifier;
import io.executionpoller.failure.ErrorType;
import io.executionpoller.remote.AmcClient;
import io.executionpoller.remote.CallDeferred;
import io.executionpoller.remote.DownloadUrls;
import io.executionpoller.remote.RemoteCallException;
import io.executionpoller.remote.RemoteFailures;
import io.executionpoller.results.parse.ContentStream;
import io.executionpoller.results.parse.CsvFormat;
import io.executionpoller.results.parse.CsvRecordReader;
import io.executionpoller.results.parse.JsonRecordReader;
import io.executionpoller.results.parse.MalformedResultException;
import io.executionpoller.results.parse.RecordReader;
import io.executionpoller.results.parse.RedactedUrl;
import io.executionpoller.results.parse.ResultFormat;
import io.executionpoller.results.parse.ResultTooLargeException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One attempt at storing one result, run on a download thread (it blocks): fresh URLs from AMC,
 * what earlier attempts left staged deleted, then every file streamed through gunzip, the parser
 * and COPY into staging (committed as it goes, never while waiting for S3), then the short
 * transaction that marks it STORED and so makes it visible. A file that fails in a way another try
 * may fix (truncated, an expired URL, a reset) has its staged rows deleted and is fetched again,
 * with fresh URLs when S3 refused the old ones; anything else ends the attempt, and its staged rows
 * are deleted by the downloader or, after a crash, by the next attempt.
 */
final class ResultDownload {

  /** AMC returns at most 5 URLs per page; 20 pages bound the URL loop at 100 files. */
  static final int MAX_URL_PAGES = 20;

  /** Most characters one record may hold: bounds memory per row whatever the input. */
  static final int MAX_RECORD_CHARS = 1 << 20;

  /** Gzip may expand freely up to this much content before the ratio guard applies. */
  private static final long RATIO_GRACE_BYTES = 1 << 20;

  private final ResultClaim claim;
  private final String owner;
  private final AmcClient amc;
  private final ResultFetcher fetcher;
  private final ResultStore store;
  private final ResultsConfig config;
  private final Clock clock;
  private final Instant deadline;

  private volatile ResultFetcher.Transfer current;
  private volatile DownloadFailure abortedWith;

  ResultDownload(
      ResultClaim claim,
      String owner,
      AmcClient amc,
      ResultFetcher fetcher,
      ResultStore store,
      ResultsConfig config,
      Clock clock) {
    this.claim = claim;
    this.owner = owner;
    this.amc = amc;
    this.fetcher = fetcher;
    this.store = store;
    this.config = config;
    this.clock = clock;
    this.deadline = clock.instant().plus(config.attemptDeadline());
  }

  ResultClaim claim() {
    return claim;
  }

  Instant deadline() {
    return deadline;
  }

  /**
   * Stops the attempt from another thread (deadline, lost lease, shutdown): the transfer in
   * progress fails, so the download thread unwinds and rolls back.
   */
  void abort(DownloadFailure why) {
    abortedWith = why;
    ResultFetcher.Transfer transfer = current;
    if (transfer != null) {
      transfer.close();
    }
  }

  /** Runs the attempt; returns what was stored, or throws why nothing was. */
  Stored run() throws DownloadFailure, CallDeferred {
    List<String> urls = fetchUrls();
    try {
      // Rows a crashed or failed attempt staged; nothing when none did.
      store.discardStaged(claim.executionId(), claim.attempt());
    } catch (SQLException e) {
      throw DownloadFailure.store(e);
    }
    try (ResultWriter writer = store.openWriter(claim, owner)) {
      List<String> columns = null;
      long bytes = 0;
      for (int index = 0; index < urls.size(); index++) {
        FileResult file = null;
        for (int tries = 0; file == null; tries++) {
          checkNotAborted();
          try {
            file = ingest(writer, index, urls.get(index), bytes, columns);
          } catch (DownloadFailure failure) {
            writer.discardFile();
            if (!failure.retryable() || tries >= config.fileRetries()) {
              throw failure;
            }
            if (failure.renewUrls()) {
              urls = renewed(urls.size());
            }
          }
        }
        // An empty file has no header; the first file with one sets the columns.
        columns = columns == null || columns.isEmpty() ? file.columns() : columns;
        bytes += file.bytes();
      }
      checkNotAborted();
      Stored stored = new Stored(urls.size(), writer.rowsWritten(), bytes);
      boolean ours =
          writer.commit(
              new ResultWriter.StoredResult(
                  urls.size(), bytes, columns == null ? List.of() : columns),
              clock.instant(),
              stored.describe());
      if (!ours) {
        throw DownloadFailure.store(
            new SQLException("the claim was lost before the commit; another replica has it"));
      }
      return stored;
    } catch (SQLException e) {
      throw DownloadFailure.store(e);
    }
  }

  private FileResult ingest(
      ResultWriter writer, int index, String url, long bytesSoFar, List<String> expectedColumns)
      throws DownloadFailure, SQLException {
    long remaining = config.maxResultSize().asLongValue() - bytesSoFar;
    ResultWriter.StoredFile stored;
    try (ResultFetcher.Transfer transfer = fetcher.open(url)) {
      current = transfer;
      String name = fileName(transfer, index);
      writer.startFile(index);
      ContentStream content =
          ContentStream.open(
              new CommitBeforeWait(transfer.body(), writer),
              transfer.head().declaresGzip(),
              new ContentStream.Limits(
                  remaining, remaining, config.maxExpansionRatio(), RATIO_GRACE_BYTES),
              writer::originalBytes,
              name);
      ResultFormat format =
          ResultFormat.detect(transfer.head().contentType(), transfer.uri().getPath());
      try (RecordReader reader = reader(format, content, name)) {
        List<String> columns = reader.columns();
        if (expectedColumns != null
            && !expectedColumns.isEmpty()
            && !columns.isEmpty()
            && !expectedColumns.equals(columns)) {
          throw DownloadFailure.inconsistentColumns(name);
        }
        String[] row;
        while ((row = reader.next()) != null) {
          writer.row(row);
        }
        // Drain what the parser did not need (trailing bytes) so sizes and digest are whole.
        byte[] rest = new byte[8192];
        while (content.read(rest, 0, rest.length) >= 0) {
          // counted and digested by the content stream
        }
        long announced = transfer.head().contentLength();
        if (announced >= 0 && content.rawBytes() != announced) {
          throw DownloadFailure.truncated(RedactedUrl.of(url), content.rawBytes(), announced);
        }
        stored =
            new ResultWriter.StoredFile(
                name,
                format,
                transfer.head().contentType(),
                content.gzipped(),
                columns,
                content.contentBytes(),
                content.sha256Hex());
      }
    } catch (MalformedResultException e) {
      throw failureOr(DownloadFailure.malformed(e));
    } catch (ResultTooLargeException e) {
      throw failureOr(DownloadFailure.tooLarge(e));
    } catch (ResultWriter.StoreFailure e) {
      throw DownloadFailure.store(e.sqlCause());
    } catch (InterruptedIOException e) {
      throw failureOr(DownloadFailure.transport(RedactedUrl.of(url), e));
    } catch (IOException e) {
      if (e.getCause() instanceof DownloadFailure failure) {
        throw failureOr(failure);
      }
      throw failureOr(DownloadFailure.transport(RedactedUrl.of(url), e));
    } finally {
      current = null;
    }
    // Recorded only once the transfer is closed: a failure while closing still finds the file's
    // savepoint and discards it, instead of leaving a file row the retry would insert again.
    try {
      writer.endFile(stored);
    } catch (ResultWriter.StoreFailure e) {
      throw DownloadFailure.store(e.sqlCause());
    } catch (IOException e) {
      throw DownloadFailure.store(e);
    }
    return new FileResult(stored.columns(), stored.byteSize());
  }

  /** An abort from another thread explains the failure the download thread then sees. */
  private DownloadFailure failureOr(DownloadFailure seen) {
    DownloadFailure aborted = abortedWith;
    return aborted != null ? aborted : seen;
  }

  private void checkNotAborted() throws DownloadFailure {
    DownloadFailure aborted = abortedWith;
    if (aborted != null) {
      throw aborted;
    }
    if (clock.instant().isAfter(deadline)) {
      throw DownloadFailure.deadline("started more than " + config.attemptDeadline() + " ago");
    }
  }

  private RecordReader reader(ResultFormat format, ContentStream content, String name)
      throws IOException {
    if (format == ResultFormat.JSON) {
      return new JsonRecordReader(content, name, MAX_RECORD_CHARS);
    }
    CsvFormat csv = new CsvFormat(config.csv().separator(), config.csv().quote());
    return new CsvRecordReader(content, csv, name, MAX_RECORD_CHARS);
  }

  private static String fileName(ResultFetcher.Transfer transfer, int index) {
    String path = transfer.uri().getPath();
    if (path != null) {
      String last = path.substring(path.lastIndexOf('/') + 1);
      if (!last.isBlank()) {
        return last;
      }
    }
    return "file-" + index;
  }

  /** Fresh URLs for the same files; AMC must still list as many as before. */
  private List<String> renewed(int expected) throws DownloadFailure, CallDeferred {
    List<String> urls = fetchUrls();
    if (urls.size() != expected) {
      throw DownloadFailure.remote(
          ErrorType.AMC_API_ERROR,
          true,
          "AMC listed " + urls.size() + " result files, " + expected + " before",
          null);
    }
    return urls;
  }

  /** All download URLs of the result, following nextToken for at most MAX_URL_PAGES pages. */
  private List<String> fetchUrls() throws DownloadFailure, CallDeferred {
    List<String> urls = new ArrayList<>();
    String token = null;
    for (int page = 0; page < MAX_URL_PAGES; page++) {
      checkNotAborted();
      DownloadUrls answer = call(token);
      urls.addAll(answer.downloadUrls());
      token = answer.nextToken();
      if (token == null || token.isEmpty()) {
        if (urls.isEmpty()) {
          throw DownloadFailure.notReady("AMC listed no result files");
        }
        return urls;
      }
    }
    throw DownloadFailure.remote(
        ErrorType.AMC_API_ERROR,
        false,
        "AMC listed result files over more than " + MAX_URL_PAGES + " pages",
        null);
  }

  private DownloadUrls call(String token) throws DownloadFailure, CallDeferred {
    try {
      Duration wait = Duration.between(clock.instant(), deadline);
      return amc.getDownloadUrls(claim.target(), claim.amcExecutionId(), token)
          .await()
          .atMost(wait.isNegative() ? Duration.ofMillis(1) : wait);
    } catch (CallDeferred deferred) {
      throw deferred;
    } catch (RemoteCallException e) {
      if (e.httpStatus() == 404) {
        // AMC: "Execution with ID ... is unavailable for download"; its docs say to wait.
        throw DownloadFailure.notReady("AMC answered 404 for the download URLs");
      }
      throw DownloadFailure.remote(
          ErrorClassifier.classify(RemoteFailures.facts(e)),
          e.isTransient() || e.isOutage(),
          "download URLs: " + e.getMessage(),
          e);
    } catch (io.smallrye.mutiny.TimeoutException e) {
      throw DownloadFailure.deadline("waiting for download URLs");
    } catch (RuntimeException e) {
      throw DownloadFailure.remote(
          ErrorClassifier.classify(RemoteFailures.facts(e)),
          true,
          "download URLs: " + e.getMessage(),
          e);
    }
  }

  private record FileResult(List<String> columns, long bytes) {}

  /**
   * The body as the parser reads it: a read that would wait for the network (nothing received is
   * left unread) first has the writer commit what it staged, so no transaction waits on S3.
   */
  private static final class CommitBeforeWait extends FilterInputStream {

    private final ResultWriter writer;

    CommitBeforeWait(InputStream body, ResultWriter writer) {
      super(body);
      this.writer = writer;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
      if (length > 0 && in.available() == 0) {
        writer.beforeWait();
      }
      return in.read(target, offset, length);
    }
  }

  /** What one successful attempt stored. */
  record Stored(int files, long rows, long bytes) {
    String describe() {
      return "stored " + files + " file(s), " + rows + " rows, " + bytes + " bytes";
    }
  }
}
