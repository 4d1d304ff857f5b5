package io.executionpoller.simulator;

/** The AMC API calls the simulator can inject faults into (the token endpoint and S3 are not). */
public enum Operation {
  CREATE,
  LIST,
  STATUS,
  CANCEL,
  DOWNLOAD_URLS
}
