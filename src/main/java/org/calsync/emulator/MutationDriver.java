package org.calsync.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.SplittableRandom;

/**
 * Edits random users' events over time, like people using their calendars: inserts, moves (start/end shifted),
 * transparency toggles and deletions, at a target rate. The choice sequence is deterministic from the seed. Events an
 * application wrote with extended properties (calsync's appointments) are left alone, so a run that books appointments
 * still ends with a truth it can compare against.
 */
public final class MutationDriver {
  private static final Logger LOG = LoggerFactory.getLogger(MutationDriver.class);
  private static final long TICK_MS = 20;

  private final Vertx vertx;
  private final EmulatorState state;
  private final long seed;
  private SplittableRandom rng;
  private long timer = -1;
  private double budget;
  private long last;
  private double rate;
  private volatile long mutations;

  MutationDriver(Vertx vertx, EmulatorState state, long seed) {
    this.vertx = vertx;
    this.state = state;
    this.seed = seed;
  }

  /** (Re)starts at {@code changesPerSecond}; the random sequence restarts from the seed. */
  public synchronized void start(double changesPerSecond) {
    stop();
    if (changesPerSecond <= 0) return;
    rate = changesPerSecond;
    rng = new SplittableRandom(seed * 31 + 7);
    budget = 0;
    last = System.nanoTime();
    timer = vertx.setPeriodic(TICK_MS, id -> tick());
  }

  public synchronized void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    timer = -1;
    rate = 0;
  }

  public synchronized boolean running() { return timer >= 0; }
  public synchronized double rate() { return rate; }
  public long mutations() { return mutations; }

  private synchronized void tick() {
    if (timer < 0) return;
    long now = System.nanoTime();
    budget += rate * (now - last) / 1e9;
    last = now;
    int n = (int) Math.min(budget, rate + 1);
    budget -= n;
    for (int i = 0; i < n; i++) {
      try {
        mutateOnce();
      } catch (RuntimeException e) {
        LOG.debug("mutation skipped: {}", e.toString());
      }
    }
  }

  /** One random edit; public for deterministic use from tests and benchmarks. */
  public synchronized void mutateOnce() {
    if (rng == null) rng = new SplittableRandom(seed * 31 + 7);
    String calendarId;
    String eventId = null;
    JsonObject current = null;
    int op = rng.nextInt(10);
    synchronized (state.lock) {
      int n = state.calendarList.size();
      if (n == 0) return;
      CalendarData cal = state.calendarList.get(rng.nextInt(n));
      calendarId = cal.id;
      if (op >= 2 && !cal.order.isEmpty()) {
        for (int attempt = 0; attempt < 4 && eventId == null; attempt++) {
          StoredEvent e = cal.order.get(rng.nextInt(cal.order.size()));
          if (!e.cancelled() && !e.isMaster() && !e.isException()) {
            current = EventJson.render(cal, e);
            eventId = current.containsKey("extendedProperties") ? null : e.id;
          }
        }
      }
    }
    if (eventId == null) op = 0;
    long hour = 3_600_000L;
    if (op < 2) {
      long start = (System.currentTimeMillis() / (15 * 60_000L) + rng.nextInt(-96 * 20, 96 * 60)) * 15 * 60_000L;
      long end = start + (1 + rng.nextInt(6)) * 15 * 60_000L;
      JsonObject ev = new JsonObject().put("summary", EventJson.SEED_SUMMARIES[rng.nextInt(EventJson.SEED_SUMMARIES.length)])
        .put("start", new JsonObject().put("dateTime", Times.millis(start)).put("timeZone", EmulatorState.DEFAULT_TIME_ZONE))
        .put("end", new JsonObject().put("dateTime", Times.millis(end)).put("timeZone", EmulatorState.DEFAULT_TIME_ZONE));
      if (rng.nextInt(10) == 0) ev.put("transparency", "transparent");
      state.insertEvent(calendarId, ev);
    } else if (op < 6 && current.getJsonObject("start").getString("dateTime") != null) {
      long shift = rng.nextInt(-8, 9) * hour / 2;
      if (shift == 0) shift = hour;
      long s = Times.parseInstant(current.getJsonObject("start").getString("dateTime")) + shift;
      long e = Times.parseInstant(current.getJsonObject("end").getString("dateTime")) + shift;
      state.patchEvent(calendarId, eventId, new JsonObject()
        .put("start", new JsonObject().put("dateTime", Times.millis(s)).put("timeZone", EmulatorState.DEFAULT_TIME_ZONE))
        .put("end", new JsonObject().put("dateTime", Times.millis(e)).put("timeZone", EmulatorState.DEFAULT_TIME_ZONE)));
    } else if (op < 8) {
      boolean transparent = "transparent".equals(current.getString("transparency"));
      state.patchEvent(calendarId, eventId, new JsonObject().put("transparency", transparent ? "opaque" : "transparent"));
    } else {
      state.deleteEvent(calendarId, eventId);
    }
    mutations++;
  }
}
