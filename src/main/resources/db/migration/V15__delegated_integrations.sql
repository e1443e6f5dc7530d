-- How an integration gets its access tokens: 'oauth' (a practitioner's refresh token, sealed in credentials) or
-- 'delegated' (Google Workspace domain-wide delegation: tokens minted with a JWT assertion signed by the service
-- account key of google.serviceAccountKeyFile; credentials seal the impersonated address and the current access
-- token, never a refresh token; the key itself is never stored in the database).
ALTER TABLE user_integrations
  ADD COLUMN auth_kind text NOT NULL DEFAULT 'oauth' CHECK (auth_kind IN ('oauth', 'delegated'));
