package org.calsync.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.sqlclient.Pool;
import java.time.OffsetDateTime;
import java.util.Map;
import org.calsync.bus.Addresses;
import org.calsync.config.CalsyncConfig;
import org.calsync.db.JobQueue;

/**
 * The handlers of the contract's operations (by operationId). Parameters come validated by the OpenAPI router; every
 * booking, appointment, disconnect, calendar, notice and connect-link operation is a request to its bus address
 * ({@link BusDoor}).
 */
final class Routes {
  private final Vertx vertx;
  private final CalsyncConfig config;
  private final Pool pool;
  private final BusDoor bus;
  private final ApiAudit audit;
  private final AppointmentStates appointments;
  private final IntegrationViews integrations;

  Routes(Vertx vertx, CalsyncConfig config, Pool pool, ApiAudit audit) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.bus = new BusDoor(vertx);
    this.audit = audit;
    this.appointments = new AppointmentStates(pool);
    this.integrations = new IntegrationViews(pool);
  }

  void mount(RouterBuilder builder, JsonObject contract) {
    on(builder, "getContract", ctx -> ctx.response().putHeader("Content-Type", "application/json").end(contract.encode()));
    on(builder, "checkConflicts", this::conflicts);
    on(builder, "getAvailability", ctx -> bus.request(ctx, Addresses.BOOKING_AVAILABILITY, fresh(ctx, range(ctx)),
        config.booking().freshTimeoutMs() + BusDoor.DEFAULT_TIMEOUT_MS, 200));
    on(builder, "putAppointment", this::putAppointment);
    on(builder, "cancelAppointment", ctx -> {
      audited(ctx, "cancelAppointment", null);
      bus.request(ctx, Addresses.APPOINTMENT_CANCELLED, new JsonObject().put("appointmentId", path(ctx, "id").getString()),
          BusDoor.DEFAULT_TIMEOUT_MS, 200);
    });
    on(builder, "getAppointment", ctx -> found(ctx, appointments.find(path(ctx, "id").getString()), "appointment"));
    on(builder, "listIntegrations", ctx -> integrations.list(stringQuery(ctx, "status"))
        .onSuccess(list -> json(ctx, 200, new JsonObject().put("integrations", list)))
        .onFailure(err -> Problems.send(ctx, 503, "UNAVAILABLE", "database unavailable; retry", null)));
    on(builder, "getIntegration", ctx -> found(ctx, integrations.find(path(ctx, "id").getLong()), "integration"));
    on(builder, "syncIntegration", this::sync);
    on(builder, "disconnectIntegration", ctx -> {
      long id = path(ctx, "id").getLong();
      audited(ctx, "disconnectIntegration", id);
      bus.request(ctx, Addresses.INTEGRATION_DISCONNECT, new JsonObject().put("integrationId", id), 60_000, 200);
    });
    on(builder, "readNotices", this::notices);
    on(builder, "createConnectLink", ctx -> {
      JsonObject body = validated(ctx).getBody().getJsonObject().copy();
      audited(ctx, "createConnectLink", body.getLong("integrationId"));
      bus.request(ctx, Addresses.CONNECT_LINK_CREATE, body, BusDoor.DEFAULT_TIMEOUT_MS, 201);
    });
    on(builder, "listCalendars", ctx -> bus.request(ctx, Addresses.CALENDARS_LIST,
        new JsonObject().put("integrationId", path(ctx, "id").getLong()), BusDoor.DEFAULT_TIMEOUT_MS, 200));
    on(builder, "updateCalendar", ctx -> {
      long id = path(ctx, "id").getLong();
      audited(ctx, "updateCalendar", id);
      JsonObject body = validated(ctx).getBody().getJsonObject().copy().put("integrationId", id)
          .put("calendarId", path(ctx, "calendarId").getString());
      bus.request(ctx, Addresses.CALENDARS_UPDATE, body, BusDoor.DEFAULT_TIMEOUT_MS, 200);
    });
  }

  private void conflicts(RoutingContext ctx) {
    JsonObject body = range(ctx);
    String appointmentId = stringQuery(ctx, "appointmentId");
    if (appointmentId != null) body.put("appointmentId", appointmentId);
    bus.request(ctx, Addresses.BOOKING_CONFLICTS, fresh(ctx, body), config.booking().freshTimeoutMs() + BusDoor.DEFAULT_TIMEOUT_MS, 200);
  }

  private static JsonObject fresh(RoutingContext ctx, JsonObject body) {
    RequestParameter fresh = validated(ctx).getQuery().get("fresh");
    return body.put("fresh", present(fresh) && fresh.getBoolean());
  }

  /** PUT books or reschedules: the bus handles both the same way (an upsert of the intent). */
  private void putAppointment(RoutingContext ctx) {
    JsonObject body = validated(ctx).getBody().getJsonObject().copy().put("appointmentId", path(ctx, "id").getString());
    audited(ctx, "putAppointment", body.getLong("integrationId"));
    bus.request(ctx, Addresses.APPOINTMENT_BOOKED, body, BusDoor.DEFAULT_TIMEOUT_MS, 200);
  }

  private void sync(RoutingContext ctx) {
    long id = path(ctx, "id").getLong();
    audited(ctx, "syncIntegration", id);
    integrations.find(id).compose(found -> {
      if (found == null || "disconnected".equals(found.getString("status"))) {
        Problems.send(ctx, 404, "NOT_FOUND", "integration " + id + (found == null ? " does not exist" : " is disconnected"), null);
        return Future.succeededFuture();
      }
      if ("paused".equals(found.getString("status"))) {
        Problems.send(ctx, 409, "PAUSED", "integration " + id + " is paused; resume it first (calsync resume " + id + ")", null);
        return Future.succeededFuture();
      }
      if ("needs_reconnect".equals(found.getString("status"))) {
        Problems.send(ctx, 409, "NEEDS_RECONNECT", "integration " + id + " needs a reconnect before it can sync", null);
        return Future.succeededFuture();
      }
      return new JobQueue(pool).enqueue(id, JobQueue.PRIORITY_MANUAL, OffsetDateTime.now()).onSuccess(v -> {
        vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
        json(ctx, 202, new JsonObject().put("integrationId", id).put("queued", true));
      });
    }).onFailure(err -> Problems.send(ctx, 503, "UNAVAILABLE", "database unavailable; retry", null));
  }

  /**
   * A long-poll answers (empty) at least this long before api.idleTimeoutSeconds would close its quiet connection: a
   * wait as long as the timeout raced it, and the EMR saw a closed connection instead of an answer.
   */
  static final int IDLE_MARGIN_SECONDS = 2;

  private void notices(RoutingContext ctx) {
    Map<String, RequestParameter> q = validated(ctx).getQuery();
    int wait = Math.min(intQuery(q, "wait", 0), Math.max(1, config.api().idleTimeoutSeconds() - IDLE_MARGIN_SECONDS));
    JsonObject body = new JsonObject().put("after", q.get("after") == null || q.get("after").isNull() ? 0L : q.get("after").getLong())
        .put("limit", intQuery(q, "limit", 100)).put("waitSeconds", wait);
    bus.request(ctx, Addresses.NOTICES_READ, body, (wait + 10) * 1000L, 200);
  }

  private JsonObject range(RoutingContext ctx) {
    Map<String, RequestParameter> q = validated(ctx).getQuery();
    JsonObject body = new JsonObject().put("start", q.get("start").getString()).put("end", q.get("end").getString());
    if (present(q.get("integrationId"))) body.put("integrationId", q.get("integrationId").getLong());
    if (present(q.get("userId"))) body.put("userId", q.get("userId").getLong());
    return body;
  }

  /** Audits the write once its answer is sent (with the status it got). */
  private void audited(RoutingContext ctx, String operationId, Long integrationId) {
    ApiKeys.Key key = ctx.get(KeyCheck.KEY);
    ctx.addEndHandler(v -> audit.write(key, operationId, integrationId, new JsonObject()
        .put("method", ctx.request().method().name()).put("path", ctx.normalizedPath())
        .put("status", ctx.response().getStatusCode())));
  }

  private static void found(RoutingContext ctx, Future<JsonObject> lookup, String what) {
    lookup.onSuccess(o -> {
      if (o == null) Problems.send(ctx, 404, "NOT_FOUND", "no such " + what + ": " + ctx.pathParam("id"), "id");
      else json(ctx, 200, o);
    }).onFailure(err -> Problems.send(ctx, 503, "UNAVAILABLE", "database unavailable; retry", null));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static void on(RouterBuilder builder, String operationId, io.vertx.core.Handler<RoutingContext> handler) {
    builder.getRoute(operationId).setDoSecurity(false).addHandler(handler)
        .addFailureHandler(ctx -> Problems.fromFailure(ctx, ctx.failure()));
  }

  private static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  private static RequestParameter path(RoutingContext ctx, String name) {
    return validated(ctx).getPathParameters().get(name);
  }

  private static String stringQuery(RoutingContext ctx, String name) {
    RequestParameter p = validated(ctx).getQuery().get(name);
    return present(p) ? p.getString() : null;
  }

  private static int intQuery(Map<String, RequestParameter> q, String name, int def) {
    RequestParameter p = q.get(name);
    return present(p) ? p.getInteger() : def;
  }

  private static boolean present(RequestParameter p) {
    return p != null && !p.isNull();
  }
}
