package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.calsync.App;
import org.calsync.bus.FailureCode;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A check that PostgreSQL rejects (here a NUL in the excluded appointment id, which the bus refuses before it gets
 * this far) fails alone: the checks that shared its statement are read again one by one and answered.
 */
@ExtendWith(HarnessExtension.class)
class CheckBatchFailureTest {
  @Test
  void aCheckThatFailsInTheDatabaseDoesNotFailTheChecksReadWithIt(Harness harness) {
    Harness h = harness.start(new App.Parts(false, false, false));
    long id = h.connectSeeded(1, 1).values().iterator().next();
    CheckBatch batch = CheckBatch.open(h.vertx, h.config.db());
    try {
      OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1);
      Promise<List<Future<List<Row>>>> sent = Promise.promise();
      // sent from one event-loop task: no answer can arrive in between, so all but the first STATEMENTS share statements
      h.vertx.runOnContext(v -> {
        List<Future<List<Row>>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          String exclude = i == 15 ? "bad\u0000id" : "A-" + i;
          all.add(batch.read(new CheckBatch.Check(new Requests.Who(id, null), start, start.plusHours(1),
              start.minusDays(1), exclude, "derived-" + i, 15)));
        }
        sent.complete(all);
      });
      List<Future<List<Row>>> answers = sent.future().await();
      for (int i = 0; i < answers.size(); i++) {
        Future<List<Row>> f = answers.get(i);
        if (i == 15) {
          assertThatThrownBy(f::await).as("the bad check fails").isNotNull();
        } else {
          assertThat(f.await()).as("check %d answered", i).isNotEmpty();
        }
      }
    } finally {
      batch.close().await();
    }
  }

  @Test
  void anAppointmentIdWithAControlCharacterIsRefusedOnTheBus(Harness harness) {
    Harness h = harness.start(new App.Parts(true, false, false));
    long id = h.connectSeeded(1, 1).values().iterator().next();
    OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1);
    JsonObject check = new JsonObject().put("integrationId", id).put("start", start.toString())
        .put("end", start.plusHours(1).toString()).put("appointmentId", "bad\u0000id");
    assertThatThrownBy(() -> h.vertx.eventBus().request("calsync.booking.conflicts", check).await())
        .isInstanceOfSatisfying(ReplyException.class, e -> {
          assertThat(e.failureCode()).isEqualTo(FailureCode.BAD_REQUEST);
          assertThat(e.getMessage()).contains("'appointmentId'");
        });
  }
}
