package org.calsync.google;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Redaction hides what it must and stays linear on long hostile input (it runs on remote error texts). */
class RedactionTest {

  @Test
  void urlsAddressesPathsAndTokensAreReplaced() {
    assertThat(Redaction.text("GET https://www.googleapis.com/calendar/v3/calendars/dr@x.org/events?syncToken=abc failed"))
        .isEqualTo("GET <url> failed");
    assertThat(Redaction.text("(https://host/p) calendar dr.who@clinic.example gone")).isEqualTo("(<url> calendar <address> gone");
    assertThat(Redaction.text("path /calendars/primary/events?pageToken=x and a=b")).isEqualTo("path <uri> and <uri>");
    assertThat(Redaction.text("token ya29.a0AfH6SMBx3kq-7yLw_0123456789abcdefXYZ expired")).isEqualTo("token <redacted> expired");
    assertThat(Redaction.text("Connection refused: localhost/127.0.0.1:443")).isEqualTo("Connection refused: <uri>");
    assertThat(Redaction.text("plain words stay")).isEqualTo("plain words stay");
  }

  /** Each input made the previous patterns rescan the rest of the text from every position (quadratic). */
  @Test
  void longHostileTextsAreRedactedInOnePass() {
    int n = 40_000;
    assertThat(Redaction.text("a".repeat(n))).isEqualTo("<redacted>");
    assertThat(Redaction.text("a-".repeat(n / 2))).isEqualTo("<redacted>");
    assertThat(Redaction.text("@".repeat(n))).isEqualTo("<address>");
    assertThat(Redaction.text("a:".repeat(n / 2))).hasSize(Redaction.MAX + 3).startsWith("a:a:");
    assertThat(Redaction.text("x".repeat(n) + "@")).isEqualTo("<redacted>@");
    assertThat(Redaction.text("=".repeat(n))).isEqualTo("<uri>");
    assertThat(Redaction.text("ab:/".repeat(n / 4))).isEqualTo("<uri>");
    assertThat(Redaction.text(("short " + "b".repeat(23) + ":").repeat(n / 31))).startsWith("short bbbbbbbbbbbbbbbbbbbbbbb:short");
  }
}
