package org.calsync.token;

/** The HTML page that ends a consent flow without a return URL: one per outcome, a status code and a plain sentence. */
final class ConsentPages {
  record Page(int status, String html) {}

  private ConsentPages() {
  }

  static Page of(String outcome) {
    return switch (outcome) {
      case "connected" -> page(200, "Calendar connected", "Your Google Calendar is connected. You can close this page.");
      case "read_only" -> page(200, "Calendar connected read-only", "Your Google Calendar is connected, but only for reading: "
          + "appointments will not be written to it because write access was not granted. Ask for a new link and allow "
          + "calsync to see and edit your calendar events to change this.");
      case "denied" -> page(403, "Access not granted", "You declined access to your Google Calendar. Nothing was changed.");
      case "no_calendar_access" -> page(403, "No calendar access granted", "Google signed you in but no access to your "
          + "calendar was granted, so nothing was connected. Ask for a new link and tick the calendar permissions.");
      case "wrong_account" -> page(409, "Different Google account", "You signed in with a different Google account than the "
          + "one connected before. Nothing was changed. Ask for a new link and choose the same account.");
      case "expired" -> page(410, "Link expired", "This link has expired. Nothing was changed. Ask for a new link.");
      case "used" -> page(410, "Link already used", "This link was already used. Nothing was changed. Ask for a new link.");
      case "replayed" -> page(409, "Already completed", "This sign-in was already completed. Nothing was changed.");
      case "unknown" -> page(404, "Unknown link", "This link is not valid. Nothing was changed.");
      default -> page(502, "Not connected", "Your calendar could not be connected. Nothing was changed. Please try again "
          + "with a new link.");
    };
  }

  private static Page page(int status, String title, String text) {
    return new Page(status, "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title + "</title></head>"
        + "<body><h1>" + title + "</h1><p>" + text + "</p></body></html>");
  }
}
