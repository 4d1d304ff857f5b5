package io.executionpoller.remote;

import java.util.List;

/** Presigned result URLs (they expire after about 10 minutes) and the paging token, if any. */
public record DownloadUrls(List<String> downloadUrls, List<String> metadataUrls, String nextToken) {

  public DownloadUrls {
    downloadUrls = List.copyOf(downloadUrls);
    metadataUrls = List.copyOf(metadataUrls);
  }
}
