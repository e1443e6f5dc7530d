package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Test/demo control plane under /admin (no auth, never faulted). See ADMIN-API.md in this package. */
final class AdminApi {
  private final EmulatorState state;

  AdminApi(EmulatorState state) {
    this.state = state;
  }

  void mount(Router router) {
    new ServiceAccountAdmin(state.serviceAccounts()).mount(router);
    router.post("/admin/users").handler(ctx -> {
      String email = Http.body(ctx).getString("email");
      if (email == null || email.isBlank()) throw GoogleErrors.required("Missing email.");
      state.createUser(email);
      Http.json(ctx, 200, new JsonObject().put("email", email).put("refreshToken", state.mintRefreshToken(email)));
    });
    router.get("/admin/users").handler(ctx -> Http.json(ctx, 200, new JsonObject().put("users", new JsonArray(
      state.users().stream().map(Object.class::cast).toList()))));
    router.post("/admin/seed").handler(ctx -> {
      JsonObject b = Http.body(ctx);
      int users = b.getInteger("users", 10), perUser = b.getInteger("eventsPerUser", 5);
      // off the event loop: a large seed takes seconds
      ctx.vertx().executeBlocking(() -> state.seed(users, perUser), false).onComplete(ar -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
          return;
        }
        JsonArray out = new JsonArray();
        for (SeededUser u : ar.result()) out.add(new JsonObject().put("email", u.email()).put("refreshToken", u.refreshToken()));
        Http.json(ctx, 200, new JsonObject().put("users", out));
      });
    });
    router.post("/admin/users/:email/refresh-tokens").handler(ctx -> {
      try {
        Object c = Http.body(ctx).getValue("clientId");
        String clientId = c == null ? null : String.valueOf(c);
        String email = ctx.pathParam("email");
        Http.json(ctx, 200, new JsonObject().put("refreshToken",
          clientId == null ? state.mintRefreshToken(email) : state.mintRefreshToken(email, clientId)));
      } catch (IllegalArgumentException e) {
        throw GoogleErrors.notFound();
      }
    });
    router.post("/admin/clients").handler(ctx -> {
      JsonObject b = Http.body(ctx);
      try {
        state.registerClient(b.getString("clientId"), b.getString("clientSecret"));
      } catch (IllegalArgumentException | ClassCastException e) {
        throw GoogleErrors.invalid("clientId and clientSecret required (and not the default client)");
      }
      ctx.response().setStatusCode(204).end();
    });
    router.post("/admin/refresh-tokens/revoke").handler(ctx -> {
      String token = Http.body(ctx).getString("refreshToken");
      if (token == null) throw GoogleErrors.required("Missing refreshToken.");
      state.revokeRefreshToken(token);
      ctx.response().setStatusCode(204).end();
    });
    router.post("/admin/users/:email/revoke").handler(ctx -> {
      state.revokeUser(ctx.pathParam("email"));
      ctx.response().setStatusCode(204).end();
    });
    router.get("/admin/consent").handler(ctx -> Http.json(ctx, 200, state.consents().answer().toJson()));
    router.post("/admin/consent").handler(ctx -> {
      try {
        state.consents().answer(Consents.Answer.fromJson(Http.body(ctx)));
      } catch (IllegalArgumentException | ClassCastException e) {
        throw GoogleErrors.invalid("outcome must be approve or deny, user a string, grantScopes an array of scopes");
      }
      Http.json(ctx, 200, state.consents().answer().toJson());
    });
    router.post("/admin/access-tokens/expire").handler(ctx -> {
      state.expireAccessTokens();
      ctx.response().setStatusCode(204).end();
    });
    router.post("/admin/users/:email/calendars").handler(ctx -> {
      JsonObject b = Http.body(ctx);
      String id = state.addCalendar(ctx.pathParam("email"), stringOrNull(b, "summary"), stringOrNull(b, "timeZone"));
      Http.json(ctx, 200, new JsonObject().put("id", id));
    });
    router.put("/admin/users/:email/calendarList/:calendarId").handler(ctx -> {
      JsonObject b = Http.body(ctx);
      Object selected = b.getValue("selected");
      if (selected != null && !(selected instanceof Boolean)) throw GoogleErrors.invalid("selected must be true or false");
      state.setListEntry(ctx.pathParam("email"), ctx.pathParam("calendarId"), stringOrNull(b, "accessRole"), (Boolean) selected);
      ctx.response().setStatusCode(204).end();
    });
    router.delete("/admin/users/:email/calendarList/:calendarId").handler(ctx -> {
      state.removeListEntry(ctx.pathParam("email"), ctx.pathParam("calendarId"));
      ctx.response().setStatusCode(204).end();
    });
    router.post("/admin/users/:email/calendarList/refuse-sync-token").handler(ctx -> {
      state.refuseNextListToken(ctx.pathParam("email"), refusalReason(ctx));
      ctx.response().setStatusCode(204).end();
    });
    router.get("/admin/calendars/:calendarId/events").handler(ctx -> {
      JsonArray a = new JsonArray();
      state.groundTruth(ctx.pathParam("calendarId")).forEach(a::add);
      ctx.response().putHeader("content-type", Http.JSON).end(a.toBuffer());
    });
    router.post("/admin/calendars/:calendarId/events").handler(ctx ->
      Http.json(ctx, 200, state.insertEvent(ctx.pathParam("calendarId"), Http.body(ctx))));
    router.patch("/admin/calendars/:calendarId/events/:eventId").handler(ctx ->
      Http.json(ctx, 200, state.patchEvent(ctx.pathParam("calendarId"), ctx.pathParam("eventId"), Http.body(ctx))));
    router.delete("/admin/calendars/:calendarId/events/:eventId").handler(ctx -> {
      state.deleteEvent(ctx.pathParam("calendarId"), ctx.pathParam("eventId"));
      ctx.response().setStatusCode(204).end();
    });
    router.post("/admin/calendars/:calendarId/refuse-sync-token").handler(ctx -> {
      state.refuseNextEventsToken(ctx.pathParam("calendarId"), refusalReason(ctx));
      ctx.response().setStatusCode(204).end();
    });
    router.post("/admin/calendars/:calendarId/invalidate-sync-tokens").handler(ctx -> {
      state.invalidateSyncTokens(ctx.pathParam("calendarId"));
      ctx.response().setStatusCode(204).end();
    });
    router.put("/admin/updated-min-window").handler(ctx -> {
      Object days = Http.body(ctx).getValue("days");
      if (!(days instanceof Number n) || n.doubleValue() < 0) throw GoogleErrors.invalid("days must be a number >= 0");
      state.updatedMinWindow(java.time.Duration.ofMillis((long) (n.doubleValue() * 86_400_000L)));
      ctx.response().setStatusCode(204).end();
    });
    router.get("/admin/faults").handler(ctx -> Http.json(ctx, 200, state.faults().toJson()));
    router.put("/admin/faults").handler(ctx -> {
      state.setFaults(FaultProfile.fromJson(Http.body(ctx)));
      Http.json(ctx, 200, state.faults().toJson());
    });
    router.post("/admin/faults/next").handler(ctx -> {
      JsonObject b = Http.body(ctx);
      Object retryAfter = b.getValue("retryAfter");
      try {
        state.failNext(b.getInteger("count", 1), b.getInteger("status", 429), retryAfter == null ? null : String.valueOf(retryAfter));
      } catch (IllegalArgumentException | ClassCastException e) {
        throw GoogleErrors.invalid("count must be a number; status 403, 429, 500 or 503");
      }
      ctx.response().setStatusCode(204).end();
    });
    router.get("/admin/requests").handler(ctx -> {
      JsonArray a = new JsonArray();
      for (Stats.Request r : state.stats().recent("")) a.add(new JsonObject().put("receivedAt", r.receivedAtMillis()).put("key", r.key()));
      ctx.response().putHeader("content-type", Http.JSON).end(a.toBuffer());
    });
    router.get("/admin/stats").handler(ctx -> Http.json(ctx, 200, state.stats().toJson()
      .put("state", new JsonObject(state.debugCounts()))
      .put("mutations", new JsonObject().put("running", state.mutationDriver().running())
        .put("changesPerSecond", state.mutationDriver().rate()).put("applied", state.mutationDriver().mutations()))));
    router.post("/admin/mutations").handler(ctx -> {
      Object cps = Http.body(ctx).getValue("changesPerSecond");
      if (!(cps instanceof Number n) || n.doubleValue() < 0) throw GoogleErrors.invalid("changesPerSecond must be a number >= 0");
      state.mutationDriver().start(n.doubleValue());
      ctx.response().setStatusCode(204).end();
    });
    router.delete("/admin/mutations").handler(ctx -> {
      state.mutationDriver().stop();
      ctx.response().setStatusCode(204).end();
    });
  }

  /** The body's "reason" of a refuse-sync-token call: an identifier such as deleted or fullSyncRequired. */
  private static String refusalReason(RoutingContext ctx) {
    String reason = stringOrNull(Http.body(ctx), "reason");
    if (reason == null || !reason.matches("[A-Za-z0-9_.-]{1,64}")) throw GoogleErrors.invalid("reason must be an identifier");
    return reason;
  }

  private static String stringOrNull(JsonObject b, String key) {
    Object v = b.getValue(key);
    if (v != null && !(v instanceof String)) throw GoogleErrors.invalid(key + " must be a string");
    return (String) v;
  }
}
