-- Push notification channels (events.watch): replay protection, why a channel was stopped, and indexes for the
-- channel keeper (live channels by expiry, channels of a calendar).
ALTER TABLE push_channels
  ADD COLUMN last_message_number bigint NOT NULL DEFAULT 0,  -- highest X-Goog-Message-Number accepted
  ADD COLUMN stop_reason         text;                       -- renewed | expired | needs_reconnect | disconnected | watch_failed | ...

CREATE INDEX push_channels_calendar ON push_channels (calendar_id);
CREATE INDEX push_channels_live ON push_channels (expires_at) WHERE stopped_at IS NULL;
