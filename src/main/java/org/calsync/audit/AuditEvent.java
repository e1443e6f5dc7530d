package org.calsync.audit;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.List;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;

/**
 * One audit record: who (actor), what (action, e.g. "sync.synced"), the integration it concerns (null: none) and a
 * detail object; never secrets. {@link #send} hands it to the audit verticle ({@link Addresses#AUDIT_RECORD}, batched);
 * {@link #append} writes it inside the caller's transaction, so it commits with the change it describes.
 */
public record AuditEvent(String actor, String action, Long integrationId, JsonObject detail) {
  public AuditEvent {
    detail = detail == null ? new JsonObject() : detail;
  }

  /** The {@link Addresses#AUDIT_RECORD} body. */
  public static AuditEvent parse(JsonObject body) {
    Object actor = body.getValue("actor");
    Object action = body.getValue("action");
    Object id = body.getValue("integrationId");
    Object detail = body.getValue("detail");
    if (!(actor instanceof String a) || !(action instanceof String act) || (id != null && !(id instanceof Number))
        || (detail != null && !(detail instanceof JsonObject))) {
      throw BusFailure.badRequest("malformed audit record (actor and action must be strings, integrationId a number, "
          + "detail an object)");
    }
    return new AuditEvent(a, act, id == null ? null : ((Number) id).longValue(), (JsonObject) detail);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("actor", actor).put("action", action);
    if (integrationId != null) o.put("integrationId", integrationId);
    return o.put("detail", detail);
  }

  /** Sends it to the audit verticle (batched: a kill -9 may lose the last flush interval). */
  public void send(EventBus bus) {
    bus.send(Addresses.AUDIT_RECORD, toJson());
  }

  /** Appends it inside the caller's transaction (holds the chain lock until that commits). */
  public Future<Void> append(SqlConnection conn) {
    return AuditLog.append(conn, List.of(entry(Instant.now())));
  }

  AuditLog.Entry entry(Instant at) {
    return new AuditLog.Entry(at, actor, action, integrationId, detail == null ? "{}" : detail.encode());
  }
}
