-- calendarList.list answers with a sync token like events.list: a sync lists only the changes since the last listing
-- (usually none) instead of every calendar, and reads no calendar row when nothing changed.
-- calendar_list_token: the nextSyncToken of the last listing applied (NULL: the next sync makes a full listing).
-- calendars_listed_at: when the last full listing was applied; a full listing is repeated once it is a day old, since
-- Google's sync token does not report every change (an access role change alone is not listed).
ALTER TABLE user_integrations ADD COLUMN calendar_list_token text, ADD COLUMN calendars_listed_at timestamptz;
