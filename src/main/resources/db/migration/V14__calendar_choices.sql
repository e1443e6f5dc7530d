-- Every calendar of the account's calendar list (calendarList.list), not only the primary: what Google says of it
-- (summary, access_role, selected) and what the practitioner chose (busy_choice, write_target). Rediscovery on each
-- sync updates the Google side and keeps the choices.
ALTER TABLE calendars
  ADD COLUMN summary      text,
  ADD COLUMN access_role  text    NOT NULL DEFAULT 'owner'
                          CHECK (access_role IN ('freeBusyReader', 'reader', 'writer', 'owner')),
  ADD COLUMN selected     boolean NOT NULL DEFAULT true,
  ADD COLUMN busy_choice  boolean,                         -- explicit choice (API/bus); NULL: the default below
  ADD COLUMN write_target boolean NOT NULL DEFAULT false,  -- receives written appointments (one per integration)
  ADD COLUMN removed_at   timestamptz;                     -- left the calendar list; its mirror was removed

-- Whether the calendar counts as busy: it is synced, mirrored, watched and checked for conflicts. freeBusyReader
-- calendars cannot be listed by events.list and never count; the write target always counts (appointments written
-- there must be seen); otherwise the explicit choice, else primary or (owner/writer and selected in Google).
ALTER TABLE calendars ADD COLUMN busy boolean GENERATED ALWAYS AS (
  removed_at IS NULL AND access_role <> 'freeBusyReader'
  AND (write_target OR COALESCE(busy_choice, is_primary OR (access_role IN ('owner', 'writer') AND selected)))) STORED;

UPDATE calendars SET write_target = true WHERE is_primary;
CREATE UNIQUE INDEX calendars_write_target ON calendars (integration_id) WHERE write_target;
