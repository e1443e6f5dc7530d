package org.calsync.booking;

import io.vertx.core.json.JsonObject;
import org.calsync.bus.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each new overlap of an integration's booked appointments with Google busy time once, with its
 * booking.conflict notice in the same transaction ({@link BusyQueries#newConflicts}; the relay publishes
 * {@link Addresses#BOOKING_CONFLICT}).
 */
final class ConflictReports {
  private static final Logger log = LoggerFactory.getLogger(ConflictReports.class);

  private final BusyQueries queries;

  ConflictReports(BusyQueries queries) {
    this.queries = queries;
  }

  /** Reports the new overlaps; a failure is logged (the next sync or booking reports them). */
  void report(long integrationId) {
    queries.newConflicts(integrationId).onSuccess(list -> {
      for (JsonObject c : list) {
        log.info("conflict appointment={} event={} integration={}", c.getString("appointmentId"), c.getString("eventId"), integrationId);
      }
    }).onFailure(e -> log.warn("conflict report integration={} failed: {}", integrationId, e.getMessage()));
  }
}
