package io.executionpoller.simulator;

/**
 * A failure of one result-file download, scripted with {@link AmcSimulator#scriptS3Faults}. Each
 * answers a GET that S3 would otherwise have served (the presigned URL checked out).
 */
public enum S3Fault {
  /** The normal answer; lets a script fault the second GET and not the first. */
  NONE,
  /** 403 AccessDenied "Request has expired", as S3 answers a stale presigned URL. */
  EXPIRED,
  /**
   * The headers with the full Content-Length, about half the body, then the connection closes: a
   * download cut short mid-transfer.
   */
  TRUNCATE,
  /** 500 InternalError XML, which S3 documents as worth retrying. */
  SERVER_ERROR,
  /** 302 to https://elsewhere.example.com/..., a host a client must not blindly follow. */
  REDIRECT,
  /**
   * All but the last 64 KiB (or the second half of a smaller file), then nothing until {@link
   * AmcSimulator#releaseStalls()} or the client gives up: a download that hangs near the end.
   */
  STALL
}
