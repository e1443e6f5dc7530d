-- Refresh lease: one token refresh (or disconnect) per integration across processes, without holding a row lock or a
-- pooled connection during the call to Google. refresh_lease names the holder; the lease lapses at refresh_lease_until
-- so a crashed holder blocks others only until then. Credentials are stored only by the current holder.
ALTER TABLE user_integrations
  ADD COLUMN refresh_lease uuid,
  ADD COLUMN refresh_lease_until timestamptz;
