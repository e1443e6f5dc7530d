-- Durable notices (outbox, db/Notices): every notice for the EMR is a row appended in the transaction of the change
-- that causes it. id is the cursor of GET /v1/notices (appends are serialised by a transaction advisory lock, so ids
-- become visible in order). The delivery columns belong to the outbound webhook (notices.webhookUrl): pending rows
-- are claimed with FOR UPDATE SKIP LOCKED when next_attempt_at is due; after notices.retrySchedule a row is dead.
CREATE TABLE notices (
  id               bigserial   PRIMARY KEY,
  type             text        NOT NULL,   -- integration.status, booking.conflict, appointment.overridden, ...
  integration_id   bigint,
  user_id          bigint,
  payload          jsonb       NOT NULL,   -- the bus body of the notice's address
  created_at       timestamptz NOT NULL DEFAULT now(),
  status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts         int         NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  delivered_at     timestamptz
);
-- The webhook claim: due pending rows in order.
CREATE INDEX notices_pending ON notices (next_attempt_at, id) WHERE status = 'pending';
-- Retention (the daily cleanup) and the dead-letter count.
CREATE INDEX notices_created ON notices (created_at);
CREATE INDEX notices_dead ON notices (id) WHERE status = 'dead';

-- Write-back failed for good (booking.WriteBack): Google refused the write (400, 403 other than rate limits, 404, ...)
-- or its retries ran out. Such a row is no longer retried until the EMR sends the appointment again.
ALTER TABLE appointments ADD COLUMN write_failed_at timestamptz;
