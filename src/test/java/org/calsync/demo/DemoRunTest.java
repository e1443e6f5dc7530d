package org.calsync.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import org.calsync.support.TestDb;
import org.junit.jupiter.api.Test;

/**
 * `demo --cycles 1` connects part of its practitioners through the consent flow, reconnects one after a revoked grant,
 * books, reschedules and cancels appointments through the EMR API while it syncs, reads notices,
 * stops the emulator's edits before its final check and ends with every mirror equal to Google.
 */
class DemoRunTest {

  @Test
  void oneCycleWithEditsAndTheEmrApiEndsConverged() throws Exception {
    DemoCommand demo = new DemoCommand();
    demo.integrations = 5;
    demo.eventsPerUser = 5;
    demo.cycles = 1;
    demo.changesPerSecond = 200;
    demo.dbUrl = TestDb.freshDatabase();
    demo.httpPort = 0;
    demo.apiPort = 0;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    demo.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    int exit = demo.call();
    String output = printed.toString(StandardCharsets.UTF_8);
    System.out.print(output);
    assertThat(exit).as("exit code (0: all mirrors equal to Google)").isZero();

    assertThat(output).contains("emr: API key", "emr: GET /v1/availability", "emr: GET /v1/conflicts",
        "emr: PUT /v1/appointments/demo-1", "-> rescheduled, version 2", "emr: DELETE /v1/appointments/demo-2 -> cancelled",
        "emr: GET /v1/appointments/demo-1 -> booked, write written", "emr: GET /v1/appointments/demo-2 -> cancelled, write written",
        "emr: GET /v1/notices");
    assertThat(output).containsPattern("GET /v1/notices .*\\d+ integration.status");

    Map<String, String> state = new HashMap<>();
    try (Connection c = DriverManager.getConnection(TestDb.jdbc(demo.dbUrl));
         ResultSet r = c.createStatement().executeQuery("SELECT id, status, google_event_id IS NOT NULL AND written_version = version "
             + "AND version >= 2 FROM appointments")) {
      while (r.next()) state.put(r.getString(1), r.getString(2) + (r.getBoolean(3) ? " written" : " not written"));
    }
    assertThat(state).containsEntry("demo-1", "booked written").containsEntry("demo-2", "cancelled written");
    assertThat(demo.consentConnected).as("practitioners connected through the consent flow").isEqualTo(1);
    assertThat(demo.reconnected).as("reconnected through the needs_reconnect notice's link after revoking").isTrue();
    assertThat(output).contains("connected themselves through Google's consent flow", "reconnect of integration");
  }
}
