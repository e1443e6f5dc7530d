-- Booking: materialised busy time, appointment write-back state, conflict reports.

-- Busy time derived from the mirror (booking.BusyBlocks): what blocks a practitioner, recurring masters expanded within
-- booking.horizonDays, exceptions applied. Each row covers at most one day (longer busy time is split), so an overlap
-- query is a short range scan of (calendar_id, start_at) from the window start minus one day.
CREATE TABLE busy_blocks (
  calendar_id     bigint      NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
  root_id         text        NOT NULL,   -- mirror row it came from: the event, or the recurring master of an instance
  event_id        text        NOT NULL,   -- the Google event (a moved instance's own id)
  start_at        timestamptz NOT NULL,
  end_at          timestamptz NOT NULL,
  appointment_id  text                    -- set when the event is ours (private extendedProperty calsyncAppointmentId)
);
CREATE INDEX busy_blocks_range ON busy_blocks (calendar_id, start_at) INCLUDE (end_at);
CREATE INDEX busy_blocks_root ON busy_blocks (calendar_id, root_id);

-- When the calendar's busy blocks were last fully expanded (the rolling horizon is renewed from this).
ALTER TABLE calendars ADD COLUMN busy_expanded_at timestamptz;

CREATE INDEX calendar_events_recurring ON calendar_events (calendar_id, recurring_event_id)
  WHERE recurring_event_id IS NOT NULL;

-- Write-back state: version is the EMR's intent, written_version what Google has. A row with version > written_version
-- is a pending write, retried until done; write_lock/write_locked_until serialise writers of one appointment.
ALTER TABLE appointments
  ADD COLUMN google_calendar_id  text,
  ADD COLUMN write_lock          text,
  ADD COLUMN write_locked_until  timestamptz,
  ADD COLUMN next_write_at       timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN write_attempts      int NOT NULL DEFAULT 0,
  ADD COLUMN last_write_error    text,
  ADD COLUMN written_at          timestamptz,
  ADD COLUMN needs_check         boolean NOT NULL DEFAULT false,  -- a sync touched our event: compare with Google
  ADD COLUMN created_at          timestamptz NOT NULL DEFAULT now();
CREATE INDEX appointments_pending ON appointments (next_write_at) WHERE version > written_version;
CREATE INDEX appointments_integration ON appointments (integration_id, start_at);
CREATE INDEX appointments_event ON appointments (google_event_id);
CREATE INDEX appointments_check ON appointments (integration_id) WHERE needs_check;

-- Overlaps between Google busy time and booked appointments already published (each is published once).
CREATE TABLE conflict_reports (
  appointment_id  text        NOT NULL,
  appt_start      timestamptz NOT NULL,
  event_id        text        NOT NULL,
  busy_start      timestamptz NOT NULL,
  busy_end        timestamptz NOT NULL,
  integration_id  bigint      NOT NULL,
  reported_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (appointment_id, appt_start, event_id, busy_start)
);
