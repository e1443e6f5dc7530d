-- Audit retention is the owner's decision, not the application's.
--
-- Before: the app role called audit_log_purge(days) with any days (the only floor was 30), and verify-audit trusted an
-- audit.purged row in audit_log, which the app role can append itself.
--   * audit_retention: one row, the retention in days (at least 30; default 2555, seven years). Only the owner changes
--     it: UPDATE audit_retention SET days = 3650 (run as the owner). The app role may read it.
--   * audit_log_purge() takes no argument; it deletes the prefix of records older than audit_retention.days and records
--     what it did in audit_purges. audit_log_purge(int) is gone.
--   * audit_purges: one row per purge that deleted records, with the anchor (the prev_hash the remaining chain starts
--     from). Written only inside audit_log_purge() (SECURITY DEFINER, runs as the owner); verify-audit accepts a chain
--     whose first record links to an anchor recorded here, and nothing else.
--   * Both tables refuse writes by anyone but the owner (trigger, as for audit_log), and calsync_grant_app() no longer
--     grants the app role anything on them but SELECT.
-- Anchors of purges done before this migration (audit.purged rows) are carried over once, here.

CREATE FUNCTION audit_owner_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_user = (SELECT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE c.oid = TG_RELID) THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  RAISE EXCEPTION '% is written only by its owner', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TABLE audit_retention (
  single boolean PRIMARY KEY DEFAULT true CHECK (single),
  days int NOT NULL CHECK (days >= 30)
);
INSERT INTO audit_retention (days) VALUES (2555);
CREATE TRIGGER audit_retention_owner_only BEFORE INSERT OR UPDATE OR DELETE ON audit_retention
  FOR EACH ROW EXECUTE FUNCTION audit_owner_only();
CREATE TRIGGER audit_retention_owner_only_truncate BEFORE TRUNCATE ON audit_retention
  FOR EACH STATEMENT EXECUTE FUNCTION audit_owner_only();

CREATE TABLE audit_purges (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  deleted bigint NOT NULL,
  retention_days int NOT NULL,
  anchor bytea
);
CREATE INDEX audit_purges_anchor ON audit_purges (anchor);
INSERT INTO audit_purges (at, deleted, retention_days, anchor)
  SELECT at, 0, 0, decode(detail::jsonb ->> 'anchor', 'hex') FROM audit_log
  WHERE action = 'audit.purged' AND detail::jsonb ->> 'anchor' ~ '^([0-9a-f]{2})+$';
CREATE TRIGGER audit_purges_owner_only BEFORE INSERT OR UPDATE OR DELETE ON audit_purges
  FOR EACH ROW EXECUTE FUNCTION audit_owner_only();
CREATE TRIGGER audit_purges_owner_only_truncate BEFORE TRUNCATE ON audit_purges
  FOR EACH STATEMENT EXECUTE FUNCTION audit_owner_only();
GRANT SELECT ON audit_retention, audit_purges TO PUBLIC;

-- Deletes the records older than audit_retention.days that form a prefix of the chain (stops at the first record still
-- within retention), records the purge and its anchor in audit_purges, and returns how many were deleted, the anchor
-- (prev_hash of the oldest remaining record) and the retention applied. Without a retention row it deletes nothing.
CREATE FUNCTION audit_log_purge(OUT deleted bigint, OUT anchor bytea, OUT retention_days int)
  LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  cutoff timestamptz;
  keep_from bigint;
BEGIN
  deleted := 0;
  SELECT r.days INTO retention_days FROM audit_retention r;
  IF retention_days IS NULL THEN
    RETURN;
  END IF;
  cutoff := now() - make_interval(days => greatest(retention_days, 30));
  SELECT min(id) INTO keep_from FROM audit_log WHERE at >= cutoff;
  PERFORM set_config('calsync.audit_purge', 'on', true);
  DELETE FROM audit_log WHERE at < cutoff AND (keep_from IS NULL OR id < keep_from);
  GET DIAGNOSTICS deleted = ROW_COUNT;
  PERFORM set_config('calsync.audit_purge', 'off', true);
  SELECT prev_hash INTO anchor FROM audit_log ORDER BY id LIMIT 1;
  IF deleted > 0 THEN
    INSERT INTO audit_purges (deleted, retention_days, anchor) VALUES (deleted, retention_days, anchor);
  END IF;
END $$;

-- Roles that could run the old purge may run the new one.
DO $$
DECLARE
  grantee text;
BEGIN
  EXECUTE format('ALTER FUNCTION audit_log_purge() SET search_path = %I, pg_temp', current_schema());
  REVOKE ALL ON FUNCTION audit_log_purge() FROM PUBLIC;
  FOR grantee IN SELECT r.rolname FROM pg_proc p CROSS JOIN LATERAL aclexplode(p.proacl) a
      JOIN pg_roles r ON r.oid = a.grantee
      WHERE p.oid = 'audit_log_purge(int)'::regprocedure AND a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION audit_log_purge() TO %I', grantee);
  END LOOP;
END $$;
DROP FUNCTION audit_log_purge(int);

-- As in V4, plus: nothing but SELECT on audit_retention and audit_purges.
CREATE OR REPLACE FUNCTION calsync_grant_app(app_role name) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s text := current_schema();
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, app_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, app_role);
  EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON flyway_schema_history FROM %I', app_role);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', app_role);
  EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_retention, audit_purges FROM %I', app_role);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', s, app_role);
  EXECUTE format('REVOKE USAGE, SELECT ON SEQUENCE audit_purges_id_seq FROM %I', app_role);
  EXECUTE format('GRANT EXECUTE ON FUNCTION audit_log_purge() TO %I', app_role);
END $$;
