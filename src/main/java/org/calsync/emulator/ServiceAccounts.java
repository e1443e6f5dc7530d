package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Service accounts and Workspace domain-wide delegation, as the Cloud console and the Workspace admin console keep
 * them: an account (e-mail, numeric client id, project) holds public keys by key id; the admin console authorizes a
 * client id for a list of scopes, or removes it. Thread-safe.
 */
public final class ServiceAccounts {
  /** Google's OAuth token endpoint: the audience Google's libraries put in every assertion. */
  public static final String GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

  record Account(String email, String clientId, String projectId, Map<String, PublicKey> keys) {}

  private final Map<String, Account> byEmail = new HashMap<>();
  private final Map<String, Set<String>> delegation = new LinkedHashMap<>();   // client id -> authorized scopes

  /**
   * Creates the account (or adds a key to an existing one) with a generated RSA-2048 key pair and returns the JSON
   * key file as the Cloud console downloads it (type service_account, project_id, private_key_id, private_key PEM,
   * client_email, client_id, token_uri...). Null arguments take defaults; tokenUri is written as the file's token_uri.
   */
  public JsonObject createKey(String email, String clientId, String projectId, String tokenUri) {
    KeyPair pair;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      pair = g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA unavailable", e);
    }
    Account a = account(email, clientId, projectId);
    String keyId = addKey(a, pair.getPublic());
    return new JsonObject().put("type", "service_account").put("project_id", a.projectId()).put("private_key_id", keyId)
      .put("private_key", pem("PRIVATE KEY", pair.getPrivate().getEncoded())).put("client_email", a.email())
      .put("client_id", a.clientId()).put("auth_uri", "https://accounts.google.com/o/oauth2/auth").put("token_uri", tokenUri)
      .put("universe_domain", "googleapis.com");
  }

  /**
   * Registers a public key (PEM "PUBLIC KEY", X.509 SubjectPublicKeyInfo, RSA) for the account, creating the account
   * if needed. Returns {email, clientId, projectId, privateKeyId}. IllegalArgumentException for a key that is not one.
   */
  public JsonObject addPublicKey(String email, String clientId, String projectId, String publicKeyPem) {
    PublicKey key;
    try {
      String b64 = publicKeyPem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
      key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("publicKey is not a PEM RSA public key");
    }
    Account a = account(email, clientId, projectId);
    return new JsonObject().put("email", a.email()).put("clientId", a.clientId()).put("projectId", a.projectId())
      .put("privateKeyId", addKey(a, key));
  }

  /** Admin console "Authorize": the client id may mint tokens for any domain user with exactly these scopes (replaces). */
  public synchronized void authorize(String clientId, Collection<String> scopes) {
    if (clientId == null || clientId.isBlank() || scopes == null || scopes.isEmpty()) {
      throw new IllegalArgumentException("clientId and at least one scope required");
    }
    Set<String> s = new LinkedHashSet<>();
    for (String scope : scopes) if (!scope.isBlank()) s.add(scope.trim());
    if (s.isEmpty()) throw new IllegalArgumentException("at least one scope required");
    delegation.put(clientId, s);
  }

  /** Admin console "Delete": later assertions for the client id are refused (issued access tokens live to expiry). */
  public synchronized void revoke(String clientId) {
    delegation.remove(clientId);
  }

  /** {clientId: [scopes]} of every authorized client. */
  public synchronized JsonObject delegations() {
    JsonObject out = new JsonObject();
    delegation.forEach((id, scopes) -> out.put(id, new JsonArray(scopes.stream().map(Object.class::cast).toList())));
    return out;
  }

  /** A copy of the account (its keys as of now), or null. */
  synchronized Account byEmail(String email) {
    Account a = email == null ? null : byEmail.get(email);
    return a == null ? null : new Account(a.email(), a.clientId(), a.projectId(), Map.copyOf(a.keys()));
  }

  synchronized Set<String> authorizedScopes(String clientId) {
    return Set.copyOf(delegation.getOrDefault(clientId, Set.of()));
  }

  private synchronized Account account(String email, String clientId, String projectId) {
    String project = projectId != null ? projectId : "calsync-emulator";
    String mail = email != null ? email : "calsync@" + project + ".iam.gserviceaccount.com";
    Account a = byEmail.get(mail);
    if (a == null) {
      String id = clientId != null ? clientId : "1" + String.format("%020d", ThreadLocalRandom.current().nextLong(Long.MAX_VALUE));
      a = new Account(mail, id, project, new LinkedHashMap<>());
      byEmail.put(mail, a);
    } else if (clientId != null && !clientId.equals(a.clientId())) {
      throw new IllegalArgumentException("service account " + mail + " has client id " + a.clientId());
    }
    return a;
  }

  private synchronized String addKey(Account a, PublicKey key) {
    byte[] id = new byte[20];
    ThreadLocalRandom.current().nextBytes(id);
    String keyId = HexFormat.of().formatHex(id);
    a.keys().put(keyId, key);
    return keyId;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
