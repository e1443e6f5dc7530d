package org.calsync.sync;

/** A sync would delete more of a calendar's mirror at once than sync.maxDeleteShare allows; nothing was deleted. */
public final class MassDeletionRefused extends RuntimeException {
  public MassDeletionRefused(long calendarId, long wouldDelete, long total, double share) {
    super("refused to delete " + wouldDelete + " of " + total + " mirrored events of calendar " + calendarId
        + " in one sync (limit sync.maxDeleteShare=" + share + "); run 'calsync sync <id> --allow-mass-delete' after checking");
  }
}
