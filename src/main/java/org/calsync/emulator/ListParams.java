package org.calsync.emulator;

import java.util.List;
import java.util.Objects;

/** Validated events.list query parameters (times in epoch millis). */
record ListParams(int maxResults, String pageToken, String syncToken, boolean showDeleted, boolean singleEvents,
                  Long timeMin, Long timeMax, Long updatedMin, String orderBy, String q, String iCalUID,
                  List<String> privateProps, List<String> sharedProps) {

  /** Hash of everything but maxResults/pageToken: later pages must repeat the first page's query. */
  int queryHash() {
    return Objects.hash(syncToken, showDeleted, singleEvents, timeMin, timeMax, updatedMin, orderBy, q, iCalUID,
      privateProps, sharedProps);
  }

  /**
   * Listings using parameters that are illegal together with syncToken (other than timeMin/timeMax) yield no
   * nextSyncToken on their last page, as observed with Google (google-api-ruby-client#312).
   */
  boolean issuesSyncToken() {
    return orderBy == null && q == null && iCalUID == null && updatedMin == null && privateProps.isEmpty()
      && sharedProps.isEmpty();
  }
}
