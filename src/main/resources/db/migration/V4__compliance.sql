-- Compliance: an audit log the application cannot rewrite, and no data written for a disconnected integration.
--
-- Design (audit_log):
--   * UPDATE and TRUNCATE are refused for everyone, always (trigger).
--   * DELETE is allowed only for retention, only inside audit_log_purge(), which is SECURITY DEFINER and owned by the
--     table owner. The trigger allows a DELETE only when current_user IS the table owner (inside the function it is,
--     whoever called it), the function has set calsync.audit_purge for its DELETE, and the row is older than the floor
--     of 30 days. A role that does not own the table cannot fake any of this: setting the GUC by hand does not change
--     current_user, and only the owner (or a superuser) can create functions that run as the owner.
--   * audit_log_purge() deletes an id prefix only (the chain stays verifiable) and returns the prev_hash of the oldest
--     remaining row (the "anchor"), which the application records as an audit.purged entry; verify accepts a chain
--     that starts at an anchor recorded that way, and nothing else.
--   * Production runs two roles: calsync_owner owns the schema and applies migrations (run any calsync command once
--     with the owner's db.url after an upgrade); the daemon connects as calsync_app, prepared by
--     SELECT calsync_grant_app('calsync_app') run as the owner: DML on the other tables, SELECT + INSERT on audit_log,
--     EXECUTE on audit_log_purge, SELECT on flyway_schema_history. calsync_app then cannot UPDATE/DELETE audit_log
--     (no privilege and the trigger), nor disable the trigger (not the owner).
--   * Where one role both owns the schema and runs the daemon (development, the demo), the trigger still stops every
--     UPDATE/DELETE by application code, but an owner can disable triggers: the hash chain (verify-audit) detects it.

CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND current_setting('calsync.audit_purge', true) = 'on'
     AND current_user = (SELECT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE c.oid = TG_RELID)
     AND OLD.at < now() - interval '30 days' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

-- Deletes the records older than greatest(retention_days, 30) days that form a prefix of the chain (stops at the first
-- record still within retention). Returns how many were deleted and the prev_hash of the oldest remaining record.
CREATE FUNCTION audit_log_purge(retention_days int, OUT deleted bigint, OUT anchor bytea)
  LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  cutoff timestamptz := now() - make_interval(days => greatest(coalesce(retention_days, 0), 30));
  keep_from bigint;
BEGIN
  SELECT min(id) INTO keep_from FROM audit_log WHERE at >= cutoff;
  PERFORM set_config('calsync.audit_purge', 'on', true);
  DELETE FROM audit_log WHERE at < cutoff AND (keep_from IS NULL OR id < keep_from);
  GET DIAGNOSTICS deleted = ROW_COUNT;
  PERFORM set_config('calsync.audit_purge', 'off', true);
  SELECT prev_hash INTO anchor FROM audit_log ORDER BY id LIMIT 1;
END $$;

DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION audit_log_purge(int) SET search_path = %I, pg_temp', current_schema());
END $$;
REVOKE ALL ON FUNCTION audit_log_purge(int) FROM PUBLIC;

-- Run as the owner to prepare the daemon's role (see above); safe to run again after later migrations.
CREATE FUNCTION calsync_grant_app(app_role name) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s text := current_schema();
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, app_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, app_role);
  EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON flyway_schema_history FROM %I', app_role);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', app_role);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', s, app_role);
  EXECUTE format('GRANT EXECUTE ON FUNCTION audit_log_purge(int) TO %I', app_role);
END $$;
REVOKE ALL ON FUNCTION calsync_grant_app(name) FROM PUBLIC;

-- A disconnected integration's data was erased; nothing may bring calendars (and so mirrored events) back for it,
-- e.g. a sync that was in flight while it was disconnected.
CREATE FUNCTION calendars_refuse_disconnected() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM user_integrations WHERE id = NEW.integration_id AND status = 'disconnected') THEN
    RAISE EXCEPTION 'integration % is disconnected', NEW.integration_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER calendars_refuse_disconnected BEFORE INSERT ON calendars
  FOR EACH ROW EXECUTE FUNCTION calendars_refuse_disconnected();
