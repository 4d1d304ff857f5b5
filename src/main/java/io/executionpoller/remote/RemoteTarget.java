package io.executionpoller.remote;

/** Where one execution lives in AMC and whose headers address it. */
public record RemoteTarget(
    String instanceId, String advertiserId, String marketplaceId, String baseUrlOverride) {

  @Override
  public String toString() {
    return "instance " + instanceId;
  }
}
