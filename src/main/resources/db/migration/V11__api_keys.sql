-- API keys of the EMR-facing HTTP API (api.ApiKeys). The key itself is shown once at creation; only its SHA-256 is
-- kept. A key is "csk_<id>_<secret>"; the id finds the row, the hash is compared in constant time.
CREATE TABLE api_keys (
  id           bigserial PRIMARY KEY,
  name         text        NOT NULL,
  scope        text        NOT NULL CHECK (scope IN ('read', 'write')),
  key_hash     bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
