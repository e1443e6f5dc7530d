-- paused: an operator stopped an integration (leave, locum) with `calsync pause`: no sync, no write-back (pending
-- appointment writes wait), no push channels; nothing is erased. `calsync resume` makes it active again and queues a
-- sync that continues from the stored sync tokens.
ALTER TABLE user_integrations DROP CONSTRAINT user_integrations_status_check;
ALTER TABLE user_integrations ADD CONSTRAINT user_integrations_status_check
  CHECK (status IN ('active', 'needs_reconnect', 'disconnected', 'paused'));
