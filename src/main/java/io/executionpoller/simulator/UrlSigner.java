package io.executionpoller.simulator;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs presigned-style result URLs with a key drawn at start-up: a client cannot forge or extend a
 * URL, so it has to ask downloadUrls again once one expires, as with S3.
 */
final class UrlSigner {

  private final byte[] key = new byte[32];

  UrlSigner() {
    new SecureRandom().nextBytes(key);
  }

  /** The signature of {@code path} issued at {@code issued} (epoch seconds). */
  String sign(String path, long issued) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of()
          .formatHex(mac.doFinal((path + "|" + issued).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
