-- calsync schema. Times are timestamptz (UTC on the wire). No patient data is stored here beyond appointment ids.

CREATE TABLE user_integrations (
  id                 bigserial PRIMARY KEY,
  user_id            bigint      NOT NULL,
  provider           text        NOT NULL DEFAULT 'google',
  account_email      text,
  status             text        NOT NULL DEFAULT 'active'
                     CHECK (status IN ('active', 'needs_reconnect', 'disconnected')),
  status_reason      text,
  status_changed_at  timestamptz NOT NULL DEFAULT now(),
  credentials        bytea,            -- AES-256-GCM ciphertext of {"refresh_token","access_token"}
  key_id             text,             -- which key encrypted credentials
  access_expires_at  timestamptz,
  last_sync_at       timestamptz,
  last_sync_status   text,
  response_data      jsonb,            -- summary of the last sync (counts, errors); never tokens
  deferred_until     timestamptz,      -- quotaExceeded: no sync before this
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_integrations_user ON user_integrations (user_id);
CREATE INDEX user_integrations_status ON user_integrations (status);

CREATE TABLE calendars (
  id                  bigserial PRIMARY KEY,
  integration_id      bigint NOT NULL REFERENCES user_integrations (id) ON DELETE CASCADE,
  google_calendar_id  text   NOT NULL,
  time_zone           text   NOT NULL DEFAULT 'UTC',
  is_primary          boolean NOT NULL DEFAULT false,
  sync_token          text,
  last_full_sync_at   timestamptz,
  last_sync_at        timestamptz,
  UNIQUE (integration_id, google_calendar_id)
);

-- The busy mirror: one row per Google event (masters of recurring events carry their rules).
CREATE TABLE calendar_events (
  calendar_id        bigint NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
  google_event_id    text   NOT NULL,
  status             text   NOT NULL,          -- confirmed | tentative | cancelled (cancelled recurring exceptions)
  transparency       text   NOT NULL DEFAULT 'opaque',
  self_response      text,                     -- attendee responseStatus of the calendar owner, if invited
  start_at           timestamptz,
  end_at             timestamptz,
  all_day            boolean NOT NULL DEFAULT false,
  recurrence         text,                     -- RRULE/EXDATE lines of a recurring master, newline-separated
  recurring_event_id text,
  original_start     timestamptz,
  appointment_id     text,                     -- our own event: private extendedProperty calsyncAppointmentId
  summary            text,                     -- only when sync.storeEventText is true
  etag               text,
  google_updated     timestamptz,
  synced_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (calendar_id, google_event_id)
);

CREATE TABLE jobs (
  id              bigserial PRIMARY KEY,
  integration_id  bigint   NOT NULL REFERENCES user_integrations (id) ON DELETE CASCADE,
  kind            text     NOT NULL DEFAULT 'sync',
  priority        smallint NOT NULL DEFAULT 0,   -- 0 scheduled, 5 push, 10 manual
  payload         jsonb    NOT NULL DEFAULT '{}'::jsonb,
  attempts        int      NOT NULL DEFAULT 0,
  available_at    timestamptz NOT NULL DEFAULT now(),
  locked_by       text,
  locked_until    timestamptz,
  rerun           boolean  NOT NULL DEFAULT false, -- enqueued again while running
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (integration_id, kind)
);
CREATE INDEX jobs_due ON jobs (available_at);

CREATE TABLE failed_jobs (
  id              bigserial PRIMARY KEY,
  integration_id  bigint  NOT NULL,
  kind            text    NOT NULL,
  payload         jsonb   NOT NULL DEFAULT '{}'::jsonb,
  attempts        int     NOT NULL,
  error_class     text    NOT NULL,
  error           text    NOT NULL,
  failed_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX failed_jobs_failed_at ON failed_jobs (failed_at);

-- Append-only, hash-chained audit trail. hash = sha256(prev_hash || canonical record); see audit.AuditChain.
CREATE TABLE audit_log (
  id              bigserial PRIMARY KEY,
  at              timestamptz NOT NULL,
  actor           text NOT NULL,
  action          text NOT NULL,
  integration_id  bigint,
  detail          text  NOT NULL DEFAULT '{}',     -- JSON exactly as hashed
  prev_hash       bytea NOT NULL,
  hash            bytea NOT NULL
);

CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('calsync.audit_retention', true) = 'on'
     AND OLD.at < now() - interval '1 day' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();

CREATE TABLE appointments (
  id                text PRIMARY KEY,              -- the EMR's appointment id
  integration_id    bigint NOT NULL REFERENCES user_integrations (id) ON DELETE CASCADE,
  start_at          timestamptz NOT NULL,
  end_at            timestamptz NOT NULL,
  status            text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled')),
  google_event_id   text,
  google_etag       text,
  version           bigint NOT NULL DEFAULT 1,
  written_version   bigint NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE push_channels (
  id              text PRIMARY KEY,                -- our channel id (uuid)
  calendar_id     bigint NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
  resource_id     text,
  token_hash      bytea NOT NULL,
  expires_at      timestamptz NOT NULL,
  stopped_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scheduler_runs (
  task            text PRIMARY KEY,
  last_run_at     timestamptz NOT NULL,
  detail          jsonb NOT NULL DEFAULT '{}'::jsonb
);
