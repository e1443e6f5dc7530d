package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The admin routes of service accounts and domain-wide delegation (see ADMIN-API.md). */
final class ServiceAccountAdmin {
  private final ServiceAccounts accounts;

  ServiceAccountAdmin(ServiceAccounts accounts) {
    this.accounts = accounts;
  }

  void mount(Router router) {
    router.post("/admin/service-accounts").handler(this::register);
    router.get("/admin/delegation").handler(ctx -> Http.json(ctx, 200, accounts.delegations()));
    router.put("/admin/delegation/:clientId").handler(ctx -> {
      try {
        accounts.authorize(ctx.pathParam("clientId"), scopes(Http.body(ctx).getValue("scopes")));
      } catch (IllegalArgumentException e) {
        throw GoogleErrors.invalid("scopes must be a non-empty array or comma-separated string");
      }
      ctx.response().setStatusCode(204).end();
    });
    router.delete("/admin/delegation/:clientId").handler(ctx -> {
      accounts.revoke(ctx.pathParam("clientId"));
      ctx.response().setStatusCode(204).end();
    });
  }

  private void register(RoutingContext ctx) {
    JsonObject b = Http.body(ctx);
    try {
      String email = string(b, "email"), clientId = string(b, "clientId"), projectId = string(b, "projectId");
      String publicKey = string(b, "publicKey");
      String tokenUri = ctx.request().scheme() + "://" + ctx.request().authority() + "/token";
      Http.json(ctx, 200, publicKey != null ? accounts.addPublicKey(email, clientId, projectId, publicKey)
        : accounts.createKey(email, clientId, projectId, tokenUri));
    } catch (IllegalArgumentException | ClassCastException e) {
      throw GoogleErrors.invalid(e.getMessage() == null ? "email, clientId, projectId and publicKey are strings" : e.getMessage());
    }
  }

  private static String string(JsonObject b, String key) {
    Object v = b.getValue(key);
    if (v != null && !(v instanceof String)) throw new IllegalArgumentException(key + " must be a string");
    return (String) v;
  }

  private static List<String> scopes(Object v) {
    List<String> out = new ArrayList<>();
    if (v instanceof String s) out.addAll(Arrays.asList(s.split(",")));
    else if (v instanceof JsonArray a) for (Object o : a) out.add(String.valueOf(o));
    else throw new IllegalArgumentException("scopes");
    return out;
  }
}
