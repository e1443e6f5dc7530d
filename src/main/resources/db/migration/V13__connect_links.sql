-- Consent flow (token.ConsentVerticle). What a grant allows, and the Google account it came from: an integration
-- connected through the consent flow stores the ID token's sub and the granted scopes; write_back is false when only
-- read access was granted (appointments are then refused, not written).
ALTER TABLE user_integrations
  ADD COLUMN google_sub     text,
  ADD COLUMN granted_scopes text,
  ADD COLUMN write_back     boolean NOT NULL DEFAULT true;

-- Connect links handed to the EMR (POST /v1/connect-links). Only SHA-256 hashes of the link token and of the OAuth
-- state are stored; the PKCE verifier is sealed like credentials (token.CredentialCipher, key_id). A link is opened
-- once (opened_at), its state is redeemed once (completed_at with the outcome).
CREATE TABLE connect_links (
  id               bigserial   PRIMARY KEY,
  token_hash       bytea       NOT NULL UNIQUE,
  user_id          bigint      NOT NULL,
  integration_id   bigint      REFERENCES user_integrations (id) ON DELETE CASCADE,
  login_hint       text,
  return_url       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  opened_at        timestamptz,
  state_hash       bytea       UNIQUE,
  state_expires_at timestamptz,
  verifier         bytea,
  key_id           text,
  completed_at     timestamptz,
  outcome          text
);
CREATE INDEX connect_links_expires ON connect_links (expires_at);
