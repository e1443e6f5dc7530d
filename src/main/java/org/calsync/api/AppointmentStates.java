package org.calsync.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;

/**
 * Reads an appointment and the state of its write to Google from {@code appointments}: written (Google has the latest
 * version), pending (not tried yet), failed (the last try failed; retried at nextAttemptAt, or, with gaveUpAt, failed
 * for good: Google refused it or its retries ran out; retried once the appointment is sent again).
 */
final class AppointmentStates {
  private final Pool pool;

  AppointmentStates(Pool pool) {
    this.pool = pool;
  }

  /** The state, or null when the appointment is unknown. */
  Future<JsonObject> find(String id) {
    return pool.preparedQuery("SELECT id, integration_id, start_at, end_at, status, google_event_id, version, written_version, "
            + "write_attempts, last_write_error, written_at, next_write_at, write_failed_at FROM appointments WHERE id = $1")
        .execute(Tuple.of(id)).map(rs -> rs.size() == 0 ? null : json(rs.iterator().next()));
  }

  private static JsonObject json(Row r) {
    long version = r.getLong(6);
    long written = r.getLong(7);
    int attempts = r.getInteger(8);
    OffsetDateTime gaveUp = r.getOffsetDateTime(12);
    String state = written >= version ? "written" : attempts > 0 ? "failed" : "pending";
    return new JsonObject().put("appointmentId", r.getString(0)).put("integrationId", r.getLong(1))
        .put("start", Json.time(r.getOffsetDateTime(2))).put("end", Json.time(r.getOffsetDateTime(3)))
        .put("status", r.getString(4)).put("writeState", state).put("eventId", r.getString(5))
        .put("version", version).put("writtenVersion", written).put("attempts", attempts)
        .put("lastError", "written".equals(state) ? null : r.getString(9))
        .put("writtenAt", Json.time(r.getOffsetDateTime(10)))
        .put("nextAttemptAt", "written".equals(state) || gaveUp != null ? null : Json.time(r.getOffsetDateTime(11)))
        .put("gaveUpAt", "written".equals(state) ? null : Json.time(gaveUp));
  }
}
