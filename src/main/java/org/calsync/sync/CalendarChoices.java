package org.calsync.sync;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.bus.Requests.CalendarUpdate;
import org.calsync.db.Calendars;
import org.calsync.db.Calendars.CalendarState;
import org.calsync.db.JobQueue;

/**
 * Reads and changes which of an integration's calendars count as busy and which receives written appointments
 * ({@link Addresses#CALENDARS_LIST}, {@link Addresses#CALENDARS_UPDATE}: the contracts are there).
 */
public final class CalendarChoices {
  private final Pool pool;

  public CalendarChoices(Pool pool) {
    this.pool = pool;
  }

  public Future<JsonObject> list(long integrationId) {
    return requireIntegration(integrationId).compose(v -> Calendars.rows(pool, integrationId, false)).map(rows -> {
      JsonArray out = new JsonArray();
      for (CalendarState r : rows) if (!r.removed()) out.add(view(r));
      return new JsonObject().put("integrationId", integrationId).put("calendars", out);
    });
  }

  /** Applies the choice in one transaction; the reply says whether a sync was queued (a calendar started counting). */
  public Future<JsonObject> update(CalendarUpdate u, String actor) {
    return requireIntegration(u.integrationId()).compose(v -> pool.withTransaction(conn ->
        Calendars.rows(conn, u.integrationId(), true).compose(before -> {
          CalendarState cal = before.stream().filter(r -> !r.removed() && r.googleId().equals(u.calendarId())).findFirst()
              .orElseThrow(() -> BusFailure.notFound("calendar '" + u.calendarId() + "' is not in the calendar list of "
                  + "integration " + u.integrationId() + " (see " + Addresses.CALENDARS_LIST + ")"));
          check(u, cal);
          Future<Void> change = u.busySet() ? Calendars.chooseBusy(conn, cal.id(), u.busy()) : Future.succeededFuture();
          if (u.writeTarget()) change = change.compose(x -> Calendars.chooseWriteTarget(conn, u.integrationId(), cal.id()));
          return change.compose(x -> Calendars.rows(conn, u.integrationId(), false)).compose(after ->
              CalendarDiscovery.settle(conn, u.integrationId(), before, after, actor, "calendars.chosen").compose(busy -> {
                boolean newlyBusy = after.stream().anyMatch(a -> a.busy() && before.stream().noneMatch(b -> b.id() == a.id() && b.busy()));
                CalendarState now = after.stream().filter(a -> a.id() == cal.id()).findFirst().orElseThrow();
                return (newlyBusy ? JobQueue.enqueue(conn, u.integrationId(), JobQueue.PRIORITY_MANUAL, OffsetDateTime.now())
                    : Future.<Void>succeededFuture()).map(x -> view(now).put("syncQueued", newlyBusy));
              }));
        })));
  }

  private static void check(CalendarUpdate u, CalendarState cal) {
    if (u.busySet() && u.busy() != null && u.busy() && cal.accessRole().equals("freeBusyReader")) {
      throw BusFailure.badRequest("busy: calendar '" + cal.googleId() + "' is shared as freeBusyReader; events.list cannot "
          + "read it, so it cannot count as busy (ask its owner for reader access)");
    }
    boolean target = u.writeTarget() || cal.writeTarget();
    if (u.busySet() && Boolean.FALSE.equals(u.busy()) && target) {
      throw BusFailure.badRequest("busy: calendar '" + cal.googleId() + "' is the write target and always counts as busy; "
          + "choose another write target first");
    }
    if (u.writeTarget() && !cal.accessRole().equals("owner") && !cal.accessRole().equals("writer")) {
      throw BusFailure.badRequest("writeTarget: calendar '" + cal.googleId() + "' has access role " + cal.accessRole()
          + "; appointments can only be written to a calendar with owner or writer access");
    }
  }

  private Future<Void> requireIntegration(long integrationId) {
    return pool.preparedQuery("SELECT 1 FROM user_integrations WHERE id = $1 AND status <> 'disconnected'")
        .execute(Tuple.of(integrationId)).compose(rs -> rs.size() > 0 ? Future.succeededFuture()
            : Future.failedFuture(BusFailure.notFound("no integration " + integrationId)));
  }

  static JsonObject view(CalendarState r) {
    return new JsonObject().put("calendarId", r.googleId()).put("summary", r.summary()).put("timeZone", r.timeZone())
        .put("accessRole", r.accessRole()).put("selected", r.selected()).put("primary", r.primary()).put("busy", r.busy())
        .put("busyChoice", r.busyChoice()).put("writeTarget", r.writeTarget())
        .put("syncable", !r.accessRole().equals("freeBusyReader"))
        .put("lastSyncAt", r.lastSyncAt() == null ? null : r.lastSyncAt().toInstant().toString());
  }
}
