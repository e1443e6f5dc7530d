package org.calsync.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import org.calsync.crypto.Secrets;

/**
 * The API's door keeper (a root handler after {@link RequestChecks} and the body, before validation): the operation's security requirement in the contract
 * names the scope it needs ({@code [{"apiKey": ["write"]}]}; an empty list is public). Missing or wrong keys get 401,
 * a read key on a write operation 403; both are audited (rate limited). Keys verified within api.keyCacheSeconds are
 * taken from {@link KeyCache} without a database read. The key is stored on the context under {@link #KEY}.
 */
final class KeyCheck implements Handler<RoutingContext> {
  static final String KEY = "calsync.apiKey";
  private final OpenAPIContract contract;
  private final ApiKeys keys;
  private final ApiAudit audit;
  private final KeyCache cache;

  KeyCheck(OpenAPIContract contract, ApiKeys keys, ApiAudit audit, KeyCache cache) {
    this.contract = contract;
    this.keys = keys;
    this.audit = audit;
    this.cache = cache;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.response().ended()) return; // answered while the body was read (BodyDeadline)
    Operation op = ctx.get(RequestChecks.OPERATION);
    if (op == null) {
      ctx.next(); // the router answers 404/405
      return;
    }
    String needed = scope(op);
    if (needed == null) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      refuse(ctx, 401, "UNAUTHORIZED", "missing", "send the API key as 'Authorization: Bearer <key>' (./run.sh api-key create)", null);
      return;
    }
    String presented = header.substring(7).trim();
    byte[] hash = Secrets.sha256(presented);
    ApiKeys.Key cached = cache.get(hash);
    Future<ApiKeys.Key> checked = cached != null ? Future.succeededFuture(cached)
        : keys.check(presented).onSuccess(k -> {
          if (k != null) cache.put(hash, k);
        });
    checked.onComplete(ar -> {
      if (ar.failed()) {
        Problems.send(ctx, 503, "UNAVAILABLE", "cannot check the API key now (database); retry", null);
      } else if (ar.result() == null) {
        refuse(ctx, 401, "UNAUTHORIZED", "invalid", "the API key is unknown, revoked or malformed", null);
      } else if (!ar.result().allows(needed)) {
        refuse(ctx, 403, "FORBIDDEN", "scope", "this operation needs a key with scope '" + needed + "'; this key has '"
            + ar.result().scope() + "'", ar.result());
      } else {
        ctx.put(KEY, ar.result());
        if (cache.touchDue(ar.result().id())) keys.touch(ar.result().id());
        ctx.next();
      }
    });
  }

  private void refuse(RoutingContext ctx, int status, String code, String reason, String detail, ApiKeys.Key key) {
    JsonObject d = new JsonObject().put("reason", reason).put("method", ctx.request().method().name())
        .put("path", ctx.normalizedPath()).put("remote", String.valueOf(ctx.request().remoteAddress()));
    if (key != null) d.put("keyId", key.id()).put("keyName", key.name());
    audit.refused(d);
    if (status == 401) ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"calsync\"");
    Problems.send(ctx, status, code, detail, null);
  }

  /** The scope the operation needs, or null when it is public. */
  private String scope(Operation op) {
    JsonArray security = op.getOpenAPIModel().getJsonArray("security", contract.getRawContract().getJsonArray("security"));
    if (security == null || security.isEmpty()) return null;
    JsonArray scopes = security.getJsonObject(0).getJsonArray("apiKey");
    return scopes == null || scopes.isEmpty() ? ApiKeys.READ : scopes.getString(0);
  }
}
