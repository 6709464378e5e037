-- +goose Up
-- Every instant of the platform store in one format, tenants.TimeLayout:
-- the SQLite twin's rule (see migrations/platform/00055), written once as
-- a function of this session. Whole seconds and short fractions are
-- padded; an offset (or no zone, read as UTC as SQLite does) becomes the
-- same instant in UTC, cut to the millisecond as SQLite's strftime
-- does; text PostgreSQL cannot read as an instant is left alone, as
-- SQLite leaves it. Empty text, NULL and TimeLayout are untouched.
SET LOCAL TIME ZONE 'UTC';

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION pg_temp.time_layout(s text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF s ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' THEN
        RETURN substr(s, 1, 19) || '.000000000Z';
    ELSIF s ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\..*Z$' THEN
        RETURN substr(s, 1, 20) || rpad(substr(s, 21, length(s) - 21), 9, '0') || 'Z';
    END IF;
    RETURN to_char(s::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') || '000000Z';
EXCEPTION WHEN others THEN
    RETURN s;
END
$$;
-- +goose StatementEnd

UPDATE account_tokens SET expires_at = pg_temp.time_layout(expires_at)
WHERE expires_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND expires_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE account_tokens SET used_at = pg_temp.time_layout(used_at)
WHERE used_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND used_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE account_tokens SET created_at = pg_temp.time_layout(created_at)
WHERE created_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND created_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE accounts SET email_confirmed_at = pg_temp.time_layout(email_confirmed_at)
WHERE email_confirmed_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND email_confirmed_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE accounts SET password_changed_at = pg_temp.time_layout(password_changed_at)
WHERE password_changed_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND password_changed_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE accounts SET created_at = pg_temp.time_layout(created_at)
WHERE created_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND created_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE accounts SET orphaned_at = pg_temp.time_layout(orphaned_at)
WHERE orphaned_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND orphaned_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE backups SET attempted_at = pg_temp.time_layout(attempted_at)
WHERE attempted_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND attempted_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE backups SET ok_at = pg_temp.time_layout(ok_at)
WHERE ok_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND ok_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE backups SET covered_at = pg_temp.time_layout(covered_at)
WHERE covered_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND covered_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE commune_work SET due_at = pg_temp.time_layout(due_at)
WHERE due_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND due_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE communes SET created_at = pg_temp.time_layout(created_at)
WHERE created_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND created_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE communes SET stats_at = pg_temp.time_layout(stats_at)
WHERE stats_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND stats_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE communes SET audited_at = pg_temp.time_layout(audited_at)
WHERE audited_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND audited_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE communes SET broken_at = pg_temp.time_layout(broken_at)
WHERE broken_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND broken_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE communes SET activity_at = pg_temp.time_layout(activity_at)
WHERE activity_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND activity_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE communes SET last_activity_at = pg_temp.time_layout(last_activity_at)
WHERE last_activity_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND last_activity_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE communes SET migrate_error_at = pg_temp.time_layout(migrate_error_at)
WHERE migrate_error_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND migrate_error_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE communes SET archived_at = pg_temp.time_layout(archived_at)
WHERE archived_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND archived_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE communes SET purge_at = pg_temp.time_layout(purge_at)
WHERE purge_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND purge_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE communes SET file_deleted_at = pg_temp.time_layout(file_deleted_at)
WHERE file_deleted_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND file_deleted_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE email_changes SET expires_at = pg_temp.time_layout(expires_at)
WHERE expires_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND expires_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE email_changes SET used_at = pg_temp.time_layout(used_at)
WHERE used_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND used_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE email_changes SET created_at = pg_temp.time_layout(created_at)
WHERE created_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND created_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE lease_grants SET granted_at = pg_temp.time_layout(granted_at)
WHERE granted_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND granted_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE leases SET expires_at = pg_temp.time_layout(expires_at)
WHERE expires_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND expires_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE memberships SET created_at = pg_temp.time_layout(created_at)
WHERE created_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND created_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE nodes SET started_at = pg_temp.time_layout(started_at)
WHERE started_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND started_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE nodes SET seen_at = pg_temp.time_layout(seen_at)
WHERE seen_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND seen_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE outbox SET next_attempt_at = pg_temp.time_layout(next_attempt_at)
WHERE next_attempt_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND next_attempt_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE outbox SET created_at = pg_temp.time_layout(created_at)
WHERE created_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND created_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE outbox SET sent_at = pg_temp.time_layout(sent_at)
WHERE sent_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND sent_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE platform_audit SET at = pg_temp.time_layout(at)
WHERE at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE provider_admins SET created_at = pg_temp.time_layout(created_at)
WHERE created_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND created_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE provider_recovery_codes SET used_at = pg_temp.time_layout(used_at)
WHERE used_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND used_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE provider_sessions SET created_at = pg_temp.time_layout(created_at)
WHERE created_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND created_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE provider_sessions SET last_seen_at = pg_temp.time_layout(last_seen_at)
WHERE last_seen_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND last_seen_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE provider_sessions SET expires_at = pg_temp.time_layout(expires_at)
WHERE expires_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND expires_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE provider_tokens SET expires_at = pg_temp.time_layout(expires_at)
WHERE expires_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND expires_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE provider_tokens SET used_at = pg_temp.time_layout(used_at)
WHERE used_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND used_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE provider_tokens SET created_at = pg_temp.time_layout(created_at)
WHERE created_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND created_at !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE throttles SET window_start = pg_temp.time_layout(window_start)
WHERE window_start ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND window_start !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

UPDATE throttles SET locked_until = pg_temp.time_layout(locked_until)
WHERE locked_until ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AND locked_until !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$';

DROP FUNCTION pg_temp.time_layout(text);

-- +goose Down
-- Nothing to undo: every version reads TimeLayout.
SELECT 1;
