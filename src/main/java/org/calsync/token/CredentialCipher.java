package org.calsync.token;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.calsync.config.ConfigException;
import org.calsync.config.TokenConfig;

/**
 * AES-256-GCM for credentials at rest. Keys come from the environment or a key file, never from the database; each
 * row records the id of the key that sealed it. The integration id is bound as associated data, so a ciphertext
 * copied to another row does not decrypt. Layout: 12-byte IV || ciphertext+tag.
 */
public final class CredentialCipher {
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private final Map<String, SecretKeySpec> keys;
  private final String activeKeyId;
  private final SecureRandom random = new SecureRandom();
  /** Cipher.getInstance looks the provider up each time; a Cipher is reusable (init per use) but not thread-safe. */
  private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM is not available in this JVM", e);
    }
  });

  private CredentialCipher(Map<String, SecretKeySpec> keys, String activeKeyId) {
    this.keys = keys;
    this.activeKeyId = activeKeyId;
  }

  /** Parses "id:base64key,id2:base64key" (first = active); the key file holds the same, one per line. */
  public static CredentialCipher fromConfig(TokenConfig config) {
    String spec = config.keys();
    String source = "token.keys";
    if ((spec == null || spec.isBlank()) && config.keyFile() != null && !config.keyFile().isBlank()) {
      source = "token.keyFile";
      try {
        spec = String.join(",", Files.readAllLines(Path.of(config.keyFile())));
      } catch (Exception e) {
        throw new ConfigException("token.keyFile", "cannot be read (" + e.getClass().getSimpleName() + ")",
            "point it at a readable file with lines keyId:base64-of-32-bytes");
      }
    }
    if (spec == null || spec.isBlank()) {
      throw new ConfigException("token.keys", "is not set: refresh tokens cannot be encrypted",
          "set CALSYNC_TOKEN_KEYS=k1:$(head -c32 /dev/urandom | base64) in the service's environment file, or token.keyFile");
    }
    return parse(spec, source);
  }

  static CredentialCipher parse(String spec, String source) {
    Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    for (String part : spec.split("[,\\n]")) {
      String p = part.trim();
      if (p.isEmpty() || p.startsWith("#")) continue;
      int colon = p.indexOf(':');
      if (colon <= 0) throw new ConfigException(source, "has an entry without 'keyId:'", "write keyId:base64-of-32-bytes");
      String id = p.substring(0, colon).trim();
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(p.substring(colon + 1).trim());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(source, "key '" + id + "' is not base64", "generate one with: head -c32 /dev/urandom | base64");
      }
      if (raw.length != 32) {
        throw new ConfigException(source, "key '" + id + "' is " + raw.length + " bytes, AES-256 needs 32",
            "generate one with: head -c32 /dev/urandom | base64");
      }
      if (keys.putIfAbsent(id, new SecretKeySpec(raw, "AES")) != null) {
        throw new ConfigException(source, "names key '" + id + "' twice", "give every key a distinct id");
      }
    }
    if (keys.isEmpty()) throw new ConfigException(source, "holds no key", "write keyId:base64-of-32-bytes");
    return new CredentialCipher(keys, keys.keySet().iterator().next());
  }

  /** A fresh random key, for the demo only. */
  public static CredentialCipher ephemeral() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return parse("demo:" + Base64.getEncoder().encodeToString(raw), "demo");
  }

  public String activeKeyId() {
    return activeKeyId;
  }

  public boolean hasKey(String keyId) {
    return keys.containsKey(keyId);
  }

  public byte[] seal(long integrationId, JsonObject credentials) {
    try {
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(iv);
      Cipher c = GCM.get();
      c.init(Cipher.ENCRYPT_MODE, keys.get(activeKeyId), new GCMParameterSpec(TAG_BITS, iv));
      c.updateAAD(aad(integrationId));
      byte[] ct = c.doFinal(credentials.encode().getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(IV_BYTES + ct.length).put(iv).put(ct).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  public JsonObject open(long integrationId, String keyId, byte[] sealed) {
    SecretKeySpec key = keys.get(keyId);
    if (key == null) throw new IllegalStateException("credentials of integration " + integrationId
        + " are sealed with key '" + keyId + "', which is not configured (token.keys)");
    if (sealed == null || sealed.length <= IV_BYTES) throw new IllegalStateException("credentials of integration "
        + integrationId + " are empty or truncated");
    try {
      Cipher c = GCM.get();
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
      c.updateAAD(aad(integrationId));
      byte[] pt = c.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
      return new JsonObject(new String(pt, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("credentials of integration " + integrationId + " fail authentication (wrong key or tampered)");
    }
  }

  private static byte[] aad(long integrationId) {
    return ("calsync:integration:" + integrationId).getBytes(StandardCharsets.UTF_8);
  }
}
