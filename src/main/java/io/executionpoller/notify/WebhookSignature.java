package io.executionpoller.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signing (standardwebhooks.com): the signature is the base64 HMAC-SHA256, keyed
 * with the base64-decoded part of a {@code whsec_} secret, of {@code id.timestamp.body}, sent as
 * {@code v1,<signature>}. While an old secret is in its grace period after a rotation, both
 * signatures are sent, space separated, so a receiver holding either one verifies.
 */
public final class WebhookSignature {

  static final String PREFIX = "whsec_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /** A new secret: 32 random bytes, base64, with the whsec_ prefix receivers' libraries expect. */
  public static String newSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** The webhook-signature header value for these secrets (the current one first). */
  public static String header(List<String> secrets, String id, long timestamp, String body) {
    return secrets.stream()
        .map(secret -> "v1," + sign(secret, id, timestamp, body))
        .collect(Collectors.joining(" "));
  }

  static String sign(String secret, String id, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
      byte[] signed =
          mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(signed);
    } catch (GeneralSecurityException e) {
      // HmacSHA256 is required of every Java platform.
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] key(String secret) {
    String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
    return Base64.getDecoder().decode(encoded);
  }
}
