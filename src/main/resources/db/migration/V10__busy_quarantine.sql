-- Recurring masters that could not be expanded within booking.BusyExpansion's caps (too many instances in the window,
-- too many busy rows, or a rule lib-recur cannot expand). Such an event blocks its whole span (clipped to the window)
-- instead of being dropped; its row here makes it visible (status command, calsync_busy_quarantined_events). Rows are
-- replaced whenever the event's busy blocks are rebuilt, so a fixed or deleted event leaves this table.
CREATE TABLE busy_quarantine (
  calendar_id     bigint      NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
  root_id         text        NOT NULL,   -- the recurring master (calendar_events.google_event_id)
  reason          text        NOT NULL,
  span_start      timestamptz NOT NULL,
  span_end        timestamptz,            -- NULL: open-ended (no UNTIL)
  quarantined_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (calendar_id, root_id)
);

-- The end of the window the last full rebuild expanded busy_blocks to. Conflict checks reaching past it (or before
-- the rebuild's past margin) expand the mirror on demand instead of reading busy_blocks.
ALTER TABLE calendars ADD COLUMN busy_until timestamptz;
