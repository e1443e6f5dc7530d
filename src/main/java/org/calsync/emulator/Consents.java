package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Google's consent side: how the next authorization request is answered (set through the admin API), the
 * authorization codes it issued (single use, 10 minutes, bound to client, redirect URI and PKCE challenge) and the
 * scopes each user granted each client (for {@code include_granted_scopes}). Thread-safe.
 */
public final class Consents {
  /** Codes live this long (Google: "the authorization code ... expires after 10 minutes" is the common figure). */
  static final long CODE_TTL_MS = 10 * 60_000L;
  static final String OPENID = "openid";
  static final String EMAIL = "https://www.googleapis.com/auth/userinfo.email";
  static final String PROFILE = "https://www.googleapis.com/auth/userinfo.profile";
  private static final Set<String> SIGN_IN = Set.of(OPENID, EMAIL, PROFILE);

  /**
   * How the consent screen is answered. user: the account that signs in (null: the request's login_hint, or the only
   * user); outcome "approve" or "deny"; grantScopes: the requested scopes left ticked (null: all; sign-in scopes are
   * always granted on approval); idTokenIssuer: the ID token's iss (null: "https://accounts.google.com"; Google also
   * issues "accounts.google.com").
   */
  public record Answer(String user, String outcome, List<String> grantScopes, String idTokenIssuer) {
    public static final Answer DEFAULT = new Answer(null, "approve", null);

    public Answer(String user, String outcome, List<String> grantScopes) {
      this(user, outcome, grantScopes, null);
    }

    static Answer fromJson(JsonObject b) {
      String outcome = b.getString("outcome", "approve");
      if (!outcome.equals("approve") && !outcome.equals("deny")) {
        throw new IllegalArgumentException("outcome must be approve or deny");
      }
      JsonArray scopes = b.getJsonArray("grantScopes");
      List<String> grant = null;
      if (scopes != null) {
        grant = new ArrayList<>();
        for (Object s : scopes) grant.add(normalize(String.valueOf(s)));
      }
      String issuer = b.getString("idTokenIssuer");
      if (issuer != null && issuer.isBlank()) throw new IllegalArgumentException("idTokenIssuer must not be blank (omit it for the default)");
      return new Answer(b.getString("user"), outcome, grant, issuer);
    }

    JsonObject toJson() {
      return new JsonObject().put("user", user).put("outcome", outcome)
        .put("grantScopes", grantScopes == null ? null : new JsonArray(new ArrayList<>(grantScopes)))
        .put("idTokenIssuer", idTokenIssuer);
    }
  }

  /** An issued authorization code; idTokenIssuer: the iss of its ID token (null: the default). */
  record Code(String clientId, String redirectUri, String user, String scope, String challenge, String method,
              String nonce, boolean offline, long expiresAtMs, String idTokenIssuer) {}

  /** A token-endpoint refusal: HTTP status, RFC 6749 error and Google's error_description. */
  static final class Refusal extends RuntimeException {
    final int status;
    final String error;

    Refusal(int status, String error, String description) {
      super(description, null, false, false);
      this.status = status;
      this.error = error;
    }
  }

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Code> codes = new HashMap<>();
  private final Map<String, Set<String>> granted = new HashMap<>();   // user \n client -> scopes
  private Answer answer = Answer.DEFAULT;
  private long codeTtlMs = CODE_TTL_MS;

  /** How long codes issued from now on stay redeemable (default 10 minutes; tests shorten it to see expiry). */
  public synchronized void codeTtl(java.time.Duration ttl) {
    codeTtlMs = ttl.toMillis();
  }

  synchronized long codeTtlMs() {
    return codeTtlMs;
  }

  public synchronized void answer(Answer a) {
    answer = a == null ? Answer.DEFAULT : a;
  }

  public synchronized Answer answer() {
    return answer;
  }

  /** Short scope names Google accepts ("email", "profile") in their full form. */
  static String normalize(String scope) {
    return switch (scope) {
      case "email" -> EMAIL;
      case "profile" -> PROFILE;
      default -> scope;
    };
  }

  /**
   * The scopes an approval grants: the requested ones the answer leaves ticked, sign-in scopes always, plus (with
   * include_granted_scopes) what the user granted this client before.
   */
  synchronized Set<String> grant(String user, String clientId, List<String> requested, boolean includeGranted) {
    Set<String> out = new LinkedHashSet<>();
    for (String s : requested) {
      if (SIGN_IN.contains(s) || answer.grantScopes() == null || answer.grantScopes().contains(s)) out.add(s);
    }
    if (includeGranted) out.addAll(granted.getOrDefault(user + "\n" + clientId, Set.of()));
    granted.computeIfAbsent(user + "\n" + clientId, k -> new LinkedHashSet<>()).addAll(out);
    return out;
  }

  /** The user's grants to every client end (revocation). */
  synchronized void forget(String user) {
    granted.keySet().removeIf(k -> k.startsWith(user + "\n"));
  }

  synchronized String issue(Code c) {
    byte[] b = new byte[54];
    random.nextBytes(b);
    String code = "4/0A" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    codes.put(code, c);
    return code;
  }

  /**
   * Redeems a code for {@code clientId}. A code is consumed by the first attempt of its client, successful or not;
   * errors are Google's: invalid_grant "Malformed auth code." (not a code at all), "Bad Request" (unknown, used,
   * expired or another client's), redirect_uri_mismatch "Bad Request", and the PKCE messages.
   */
  synchronized Code redeem(String code, String clientId, String redirectUri, String verifier, long now) {
    if (code == null || code.isEmpty()) throw new Refusal(400, "invalid_request", "Missing required parameter: code");
    if (!code.startsWith("4/") || code.length() < 20) throw new Refusal(400, "invalid_grant", "Malformed auth code.");
    Code c = codes.get(code);
    if (c == null || !c.clientId().equals(clientId)) throw new Refusal(400, "invalid_grant", "Bad Request");
    codes.remove(code);
    if (c.expiresAtMs() <= now) throw new Refusal(400, "invalid_grant", "Bad Request");
    if (redirectUri == null || !redirectUri.equals(c.redirectUri())) throw new Refusal(400, "redirect_uri_mismatch", "Bad Request");
    if (c.challenge() == null) {
      if (verifier != null) throw new Refusal(400, "invalid_grant", "code_verifier or verifier is not needed.");
    } else {
      if (verifier == null || verifier.isEmpty()) throw new Refusal(400, "invalid_grant", "Missing code verifier.");
      String expected = "S256".equals(c.method()) ? s256(verifier) : verifier;
      if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), c.challenge().getBytes(StandardCharsets.US_ASCII))) {
        throw new Refusal(400, "invalid_grant", "Invalid code verifier.");
      }
    }
    return c;
  }

  synchronized int liveCodes() {
    return codes.size();
  }

  static String s256(String verifier) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
