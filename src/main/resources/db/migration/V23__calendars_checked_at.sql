-- calendars_checked_at: when calendarList last answered for this integration (an incremental check with the sync token
-- or a full listing). Scheduled and push syncs skip calendarList while it is younger than sync.calendarListMinutes;
-- written by the statement that settles a successful sync, read by the job claim (no statement of its own).
ALTER TABLE user_integrations ADD COLUMN calendars_checked_at timestamptz;
