package io.executionpoller.notify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a receiver checks a delivery, written from the Standard Webhooks specification and not from
 * the sender's code: the signed content is "{webhook-id}.{webhook-timestamp}.{body}", the key is
 * the base64 after "whsec_", and the header holds space separated "v1,{base64}" signatures of which
 * one must match (compared in constant time). The timestamp must be recent.
 */
final class ReceiverSideVerifier {

  private ReceiverSideVerifier() {}

  static boolean verifies(
      String secret, String id, String timestamp, String body, String signatureHeader) {
    try {
      byte[] key = Base64.getDecoder().decode(secret.split("_", 2)[1]);
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] expected =
          hmac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      for (String candidate : signatureHeader.split(" ")) {
        String[] parts = candidate.split(",", 2);
        if (parts.length == 2
            && parts[0].equals("v1")
            && MessageDigest.isEqual(expected, Base64.getDecoder().decode(parts[1]))) {
          return true;
        }
      }
      return false;
    } catch (Exception e) {
      return false;
    }
  }
}
