package org.calsync.google;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import org.calsync.config.ConfigException;
import org.slf4j.LoggerFactory;

/**
 * A Google service account's JSON key file (as the Cloud console downloads it: type service_account, client_email,
 * client_id, private_key_id, private_key PEM) and the RS256 assertions of the JWT-bearer grant signed with it
 * (Google's "Using OAuth 2.0 for Server to Server Applications"). The key is read from the file named by
 * google.serviceAccountKeyFile (a warning when other users can read it), kept in memory only, and never printed.
 */
public final class ServiceAccountKey {
  public static final String CONFIG_KEY = "google.serviceAccountKeyFile";
  /** Google refuses assertions that live longer than an hour. */
  public static final long LIFETIME_SECONDS = 3600;

  private final String clientEmail;
  private final String clientId;
  private final String privateKeyId;
  private final PrivateKey privateKey;

  private ServiceAccountKey(String clientEmail, String clientId, String privateKeyId, PrivateKey privateKey) {
    this.clientEmail = clientEmail;
    this.clientId = clientId;
    this.privateKeyId = privateKeyId;
    this.privateKey = privateKey;
  }

  /** Reads and checks the key file; a ConfigException naming {@link #CONFIG_KEY} says what is wrong. */
  public static ServiceAccountKey load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw invalid("(" + file + ") cannot be read (" + e.getClass().getSimpleName() + ")",
          "point it at the JSON key file of the service account, readable by the calsync user only");
    }
    warnIfOthersCanRead(file);
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (RuntimeException e) {
      throw invalid("(" + file + ") is not JSON", "use the JSON key file downloaded from the service account's Keys tab");
    }
    return parse(json, file.toString());
  }

  /** The key lets anyone holding it read every practitioner's calendar: say so when the file is not private. */
  private static void warnIfOthersCanRead(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
        LoggerFactory.getLogger(ServiceAccountKey.class).atWarn()
            .setMessage("the service account key file can be read by other users; make it readable by the calsync user only (chmod 600)")
            .addKeyValue("key", CONFIG_KEY).addKeyValue("file", file.toString())
            .addKeyValue("permissions", PosixFilePermissions.toString(p)).log();
      }
    } catch (UnsupportedOperationException | java.io.IOException e) {
      // not a POSIX file system: nothing to check
    }
  }

  /** Checks a key file's JSON; source names it in errors. */
  public static ServiceAccountKey parse(JsonObject json, String source) {
    String fix = "use the JSON key file downloaded from the service account's Keys tab (Add key > Create new key > JSON)";
    if (!"service_account".equals(json.getValue("type"))) {
      throw invalid("(" + source + ") is not a service account key file (its \"type\" is not \"service_account\")", fix);
    }
    String email = field(json, "client_email", source, fix);
    String clientId = field(json, "client_id", source, fix);
    String keyId = field(json, "private_key_id", source, fix);
    String pem = field(json, "private_key", source, fix);
    try {
      String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
      PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
      return new ServiceAccountKey(email, clientId, keyId, key);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw invalid("(" + source + ") has a private_key that is not a PEM PKCS#8 RSA key", fix);
    }
  }

  private static String field(JsonObject json, String name, String source, String fix) {
    if (json.getValue(name) instanceof String s && !s.isBlank()) return s;
    throw invalid("(" + source + ") lacks \"" + name + "\"", fix);
  }

  private static ConfigException invalid(String problem, String fix) {
    return new ConfigException(CONFIG_KEY, problem, fix);
  }

  public String clientEmail() {
    return clientEmail;
  }

  /** The numeric client id the Workspace admin console authorizes for domain-wide delegation. */
  public String clientId() {
    return clientId;
  }

  /**
   * A signed assertion for the JWT-bearer grant: header {alg RS256, typ JWT, kid}, claims iss (the service account),
   * sub (the user to impersonate), scope (space-separated), aud (the token endpoint), iat = now, exp = now + 1 hour.
   */
  public String assertion(String subject, String scope, String audience, Instant now) {
    long iat = now.getEpochSecond();
    JsonObject header = new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", privateKeyId);
    JsonObject claims = new JsonObject().put("iss", clientEmail).put("sub", subject).put("scope", scope)
        .put("aud", audience).put("iat", iat).put("exp", iat + LIFETIME_SECONDS);
    String signed = b64(header.encode().getBytes(StandardCharsets.UTF_8)) + "." + b64(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(privateKey);
      s.update(signed.getBytes(StandardCharsets.US_ASCII));
      return signed + "." + b64(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing with the service account key failed: " + e.getClass().getSimpleName());
    }
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Override
  public String toString() {
    return "ServiceAccountKey[clientEmail=" + clientEmail + ", clientId=" + clientId + ", privateKeyId=" + privateKeyId + "]";
  }
}
