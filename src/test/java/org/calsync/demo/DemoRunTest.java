package org.calsync.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.calsync.support.TestDb;
import org.junit.jupiter.api.Test;

/** `demo --cycles 1` stops the emulator's edits before its final check and ends with every mirror equal to Google. */
class DemoRunTest {

  @Test
  void oneCycleWithEditsEndsConverged() throws Exception {
    DemoCommand demo = new DemoCommand();
    demo.integrations = 5;
    demo.eventsPerUser = 5;
    demo.cycles = 1;
    demo.changesPerSecond = 200;
    demo.dbUrl = TestDb.freshDatabase();
    demo.httpPort = 0;
    assertThat(demo.call()).as("exit code (0: all mirrors equal to Google)").isZero();
  }
}
