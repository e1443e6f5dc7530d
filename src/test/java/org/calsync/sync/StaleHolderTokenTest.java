package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.db.JobQueue.Job;
import org.calsync.mirror.BusyBlocks;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker whose lease lapsed and whose job another worker claimed writes nothing of its sync: no sync token and no
 * deletion at the end of an incremental listing (staged deletions and token) or of a full listing of several pages
 * (sweep and token), no page of either listing (a late page could bring back an older version), no calendar it
 * discovered, and it does not clear a token Google refused (the current holder's to handle). The current holder's
 * sync is written.
 */
@ExtendWith(HarnessExtension.class)
class StaleHolderTokenTest {
  private static final String TOKEN = "SELECT sync_token FROM calendars WHERE google_calendar_id = $1";
  private Harness h;
  private JobQueue q;
  private String cal;
  private long integrationId;

  @BeforeEach
  void setUp(Harness harness) {
    // 12 events at 5 a page: the full listing takes several pages (not the one-transaction whole listing)
    h = harness.configure(new JsonObject().put("sync", new JsonObject().put("pageSize", 5).put("maxDeleteShare", 1.0)));
    h.start(new App.Parts(false, false, false));
    q = new JobQueue(h.pool());
    Map.Entry<String, Long> seeded = h.connectSeeded(1, 12).entrySet().iterator().next();
    cal = seeded.getKey();
    integrationId = seeded.getValue();
    Job first = enqueueAndClaim("first");
    SyncResult full = Harness.await(sync("first", first));
    assertThat(full.pages()).as("several pages").isGreaterThan(1);
    h.query("DELETE FROM jobs");
    assertThat(token()).isNotNull();
  }

  @Test
  void aStaleHoldersIncrementalListingStoresNoTokenAndDeletesNothing() {
    String token = token();
    String gone = h.truth(cal).iterator().next();
    h.emulator.state().deleteEvent(cal, gone);
    Job[] jobs = takenOver();

    assertThat(refused(sync("stale", jobs[0]))).isInstanceOf(JobQueue.LeaseLost.class);

    assertThat(token()).as("token kept").isEqualTo(token);
    assertThat(h.mirrored(cal)).as("the deletion not applied").contains(gone);
    assertThat(h.count("SELECT count(*) FROM staged_deletions")).isZero();

    SyncResult written = Harness.await(sync("current", jobs[1]));

    assertThat(written.fullSync()).isFalse();
    assertThat(h.mirrored(cal)).doesNotContain(gone).isEqualTo(h.truth(cal));
    assertThat(token()).isNotNull().isNotEqualTo(token);
  }

  @Test
  void aStaleHoldersFullListingOfSeveralPagesStoresNoTokenAndSweepsNothing() {
    String gone = h.truth(cal).iterator().next();
    h.emulator.state().deleteEvent(cal, gone);
    h.query("UPDATE calendars SET sync_token = NULL WHERE google_calendar_id = $1", cal);
    Job[] jobs = takenOver();

    assertThat(refused(sync("stale", jobs[0]))).isInstanceOf(JobQueue.LeaseLost.class);

    assertThat(token()).as("no token stored").isNull();
    assertThat(h.mirrored(cal)).as("nothing swept").contains(gone);

    SyncResult written = Harness.await(sync("current", jobs[1]));

    assertThat(written.fullSync()).isTrue();
    assertThat(written.pages()).isGreaterThan(1);
    assertThat(h.mirrored(cal)).doesNotContain(gone).isEqualTo(h.truth(cal));
    assertThat(token()).isNotNull();
  }

  @Test
  void aStaleHoldersIncrementalPagesWriteNothing() {
    String changed = h.truth(cal).iterator().next();
    String etag = etag(changed);
    h.emulator.state().patchEvent(cal, changed, new JsonObject().put("start", at("2026-10-02T09:00:00Z"))
        .put("end", at("2026-10-02T10:00:00Z")));
    String added = h.emulator.state().insertEvent(cal, new JsonObject().put("summary", "new")
        .put("start", at("2026-10-01T10:00:00Z")).put("end", at("2026-10-01T11:00:00Z"))).getString("id");
    Job[] jobs = takenOver();

    assertThat(refused(sync("stale", jobs[0]))).isInstanceOf(JobQueue.LeaseLost.class);

    assertThat(h.mirrored(cal)).as("the new event not written").doesNotContain(added);
    assertThat(etag(changed)).as("the changed event not written").isEqualTo(etag);

    SyncResult written = Harness.await(sync("current", jobs[1]));

    assertThat(written.fullSync()).isFalse();
    assertThat(h.mirrored(cal)).contains(added).isEqualTo(h.truth(cal));
    assertThat(etag(changed)).isNotEqualTo(etag);
  }

  @Test
  void aStaleHoldersFullListingPagesWriteNothing() {
    h.query("UPDATE calendars SET sync_token = NULL WHERE google_calendar_id = $1", cal);
    h.query("UPDATE calendar_events SET synced_at = synced_at - interval '1 hour'");
    String added = h.emulator.state().insertEvent(cal, new JsonObject().put("summary", "new")
        .put("start", at("2026-10-01T10:00:00Z")).put("end", at("2026-10-01T11:00:00Z"))).getString("id");
    Job[] jobs = takenOver();

    assertThat(refused(sync("stale", jobs[0]))).isInstanceOf(JobQueue.LeaseLost.class);

    assertThat(h.mirrored(cal)).as("no page written").doesNotContain(added);
    assertThat(h.count("SELECT count(*) FROM calendar_events WHERE synced_at > now() - interval '30 minutes'"))
        .as("no row marked listed").isZero();
  }

  @Test
  void aStaleHoldersCalendarDiscoveryWritesNothing() {
    String extra = h.emulator.state().addCalendar(cal, "Extra", null);
    Job[] jobs = takenOver();

    assertThat(refused(sync("stale", jobs[0]))).isInstanceOf(JobQueue.LeaseLost.class);

    assertThat(h.count("SELECT count(*) FROM calendars WHERE google_calendar_id = $1", extra)).as("not discovered").isZero();

    Harness.await(sync("current", jobs[1]));

    assertThat(h.count("SELECT count(*) FROM calendars WHERE google_calendar_id = $1", extra)).isEqualTo(1);
  }

  @Test
  void aStaleHolderDoesNotClearARefusedToken() {
    String token = token();
    h.emulator.state().invalidateSyncTokens(cal);
    Job[] jobs = takenOver();

    assertThat(refused(sync("stale", jobs[0]))).isInstanceOf(JobQueue.LeaseLost.class);

    assertThat(token()).as("token not cleared").isEqualTo(token);
  }

  /** The job claimed by "stale", whose lease then lapsed, and claimed again by "current": {stale's, current's}. */
  private Job[] takenOver() {
    Job stale = enqueueAndClaim("stale");
    h.query("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1", stale.id());
    Job current = q.claim("current", 1, 30).await().get(0);
    assertThat(current.id()).isEqualTo(stale.id());
    return new Job[] {stale, current};
  }

  private Job enqueueAndClaim(String worker) {
    q.enqueue(integrationId, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    return q.claim(worker, 1, 30).await().get(0);
  }

  private String etag(String eventId) {
    return h.query("SELECT etag FROM calendar_events WHERE google_event_id = $1", eventId).get(0).getString(0);
  }

  private static JsonObject at(String dateTime) {
    return new JsonObject().put("dateTime", dateTime);
  }

  private String token() {
    return h.query(TOKEN, cal).get(0).getString(0);
  }

  private static Throwable refused(Future<SyncResult> sync) {
    return Harness.await(sync.transform(ar -> Future.succeededFuture(ar.cause())));
  }

  private Future<SyncResult> sync(String worker, Job job) {
    CalendarSync sync = new CalendarSync(h.pool(), h.app.google(), h.config.sync(),
        new BusyBlocks(h.vertx, h.config.booking()), worker);
    return sync.sync(job.id(), integrationId, false, new TreeMap<>(), null, null, true, true);
  }
}
