package org.calsync.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calsync.App;
import org.calsync.support.DocumentedFields;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bus as documented in {@link Addresses}: published and sent messages carry exactly the documented fields, and a
 * malformed request gets BAD_REQUEST naming the field.
 */
@ExtendWith(HarnessExtension.class)
class AddressesContractTest {
  private Harness h;
  private long id;
  private final List<JsonObject> completed = new CopyOnWriteArrayList<>();
  private final List<JsonObject> statuses = new CopyOnWriteArrayList<>();
  private final List<JsonObject> audits = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(true, false, false));
    var bus = h.vertx.eventBus();
    bus.<JsonObject>consumer(Addresses.SYNC_COMPLETED, m -> completed.add(m.body())).completion().await();
    bus.<JsonObject>consumer(Addresses.INTEGRATION_STATUS, m -> statuses.add(m.body())).completion().await();
    bus.addOutboundInterceptor(ctx -> {
      if (Addresses.AUDIT_RECORD.equals(ctx.message().address()) && ctx.message().body() instanceof JsonObject o) audits.add(o);
      ctx.next();
    });
    id = h.connectSeeded(1, 5).values().iterator().next();
  }

  @Test
  void syncCompletedCarriesExactlyTheDocumentedFields() {
    h.runCycle();
    Harness.eventually(() -> assertThat(completed).isNotEmpty());
    JsonObject notice = completed.get(0);
    assertThat(notice.getString("outcome")).isEqualTo("synced");
    DocumentedFields.of("SYNC_COMPLETED").assertMatches(notice);
    Harness.eventually(() -> assertThat(audits).anyMatch(a -> "sync.synced".equals(a.getString("action"))));
    audits.forEach(DocumentedFields.of("AUDIT_RECORD")::assertMatches);
  }

  @Test
  void integrationStatusCarriesExactlyTheDocumentedFields() {
    h.vertx.eventBus().request(Addresses.INTEGRATION_DISCONNECT, new JsonObject().put("integrationId", id)).await();
    Harness.eventually(() -> assertThat(statuses).anyMatch(s -> "disconnected".equals(s.getString("status"))));
    statuses.forEach(DocumentedFields.of("INTEGRATION_STATUS")::assertMatches);
  }

  @Test
  void malformedRequestsGetBadRequestNamingTheField() {
    assertThat(failure(Addresses.TOKEN_GET, new JsonObject().put("integrationId", "x"))).contains("'integrationId'");
    assertThat(failure(Addresses.TOKEN_GET, new JsonObject().put("integrationId", id).put("force", "yes"))).contains("'force'");
    assertThat(failure(Addresses.TOKEN_GET, new JsonObject().put("integrationId", id).put("active", 1))).contains("'active'");
    assertThat(failure(Addresses.TOKEN_GET, new JsonObject().put("integrationId", id).put("refused", 7))).contains("'refused'");
    assertThat(failure(Addresses.INTEGRATION_RECONNECT, new JsonObject().put("integrationId", id))).contains("'refreshToken'");
    assertThat(failure(Addresses.BOOKING_AVAILABILITY, "not json")).contains("JSON object");
    assertThat(failure(Addresses.AUDIT_RECORD, new JsonObject().put("actor", 5))).contains("malformed audit record");
    assertThat(failure(Addresses.CALENDARS_LIST, new JsonObject())).contains("'integrationId'");
    assertThat(failure(Addresses.CALENDARS_UPDATE, new JsonObject().put("integrationId", id).put("busy", true))).contains("'calendarId'");
    assertThat(failure(Addresses.CALENDARS_UPDATE, new JsonObject().put("integrationId", id).put("calendarId", "c")
        .put("busy", "yes"))).contains("'busy'");
    assertThat(failure(Addresses.CALENDARS_UPDATE, new JsonObject().put("integrationId", id).put("calendarId", "c")
        .put("writeTarget", false))).contains("'writeTarget'");
  }

  private String failure(String address, Object body) {
    try {
      h.vertx.eventBus().request(address, body).await();
    } catch (ReplyException e) {
      assertThat(e.failureCode()).isEqualTo(FailureCode.BAD_REQUEST);
      return e.getMessage();
    }
    throw new AssertionError("request to " + address + " succeeded");
  }
}
