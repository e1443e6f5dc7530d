-- The event's own start.timeZone (IANA id as Google sent it; NULL when absent). Recurring masters are expanded in
-- this zone, as Google does; NULL (or an unknown id) falls back to the calendar's zone.
ALTER TABLE calendar_events ADD COLUMN time_zone text;
