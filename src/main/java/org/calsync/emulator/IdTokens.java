package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * OpenID Connect ID tokens as Google issues them: RS256 JWTs with a {@code kid} header, verifiable with the key set
 * published at {@code GET /oauth2/v3/certs} (Google: https://www.googleapis.com/oauth2/v3/certs). One RSA-2048 key per
 * emulator, generated at start.
 */
final class IdTokens {
  static final String ISSUER = "https://accounts.google.com";
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final KeyPair keys;
  private final String kid;

  IdTokens() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      keys = g.generateKeyPair();
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(keys.getPublic().getEncoded());
      kid = HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA unavailable", e);
    }
  }

  /** The JWKS document ({"keys":[{kty, alg, use, kid, n, e}]}). */
  JsonObject jwks() {
    RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
    return new JsonObject().put("keys", new JsonArray().add(new JsonObject().put("kty", "RSA").put("alg", "RS256")
      .put("use", "sig").put("kid", kid).put("n", unsigned(pub.getModulus())).put("e", unsigned(pub.getPublicExponent()))));
  }

  /**
   * An ID token for {@code email} (sub: {@link #subject}) issued to {@code clientId} with {@code accessToken}, valid for
   * an hour from {@code nowSeconds}; at_hash binds it to the access token (Google: always included when the ID token is
   * issued with an access token in the server flow); {@code nonce} is included when the authorization request carried one.
   * {@code issuer}: the iss claim (null: {@link #ISSUER}).
   */
  String issue(String issuer, String clientId, String email, String nonce, String accessToken, long nowSeconds) {
    JsonObject claims = new JsonObject().put("iss", issuer == null ? ISSUER : issuer).put("azp", clientId).put("aud", clientId)
      .put("sub", subject(email)).put("email", email).put("email_verified", true).put("at_hash", atHash(accessToken))
      .put("iat", nowSeconds).put("exp", nowSeconds + 3600);
    if (nonce != null) claims.put("nonce", nonce);
    return sign(claims);
  }

  String sign(JsonObject claims) {
    JsonObject header = new JsonObject().put("alg", "RS256").put("kid", kid).put("typ", "JWT");
    String input = b64(header.encode()) + "." + b64(claims.encode());
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(keys.getPrivate());
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64URL.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  /** OpenID Connect at_hash for RS256: base64url of the left half of SHA-256 of the access token's ASCII bytes. */
  static String atHash(String accessToken) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
      return B64URL.encodeToString(Arrays.copyOf(d, d.length / 2));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Google's stable account id: 21 decimal digits, here derived from the address. */
  static String subject(String email) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(email.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      String digits = new BigInteger(1, Arrays.copyOf(d, 12)).toString();
      return "1" + (digits + "00000000000000000000").substring(0, 20);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(String s) {
    return B64URL.encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    if (b.length > 1 && b[0] == 0) b = Arrays.copyOfRange(b, 1, b.length);
    return B64URL.encodeToString(b);
  }
}
