package org.calsync.cli;

/** What each integration status means for an operator, and what to do (integrations show; README "Statuses"). */
final class Statuses {
  private Statuses() {
  }

  static String meaning(String status) {
    return switch (status) {
      case "active" -> "syncing every sync.intervalMinutes (and on push); appointments are written to Google";
      case "needs_reconnect" -> "Google refused the grant (revoked or expired): no sync; reconnect it (connect --integration-id)";
      case "paused" -> "paused by an operator: no sync, appointment writes wait; nothing erased (resume to continue)";
      case "disconnected" -> "disconnected and erased; connect the account again to start over";
      default -> status;
    };
  }
}
