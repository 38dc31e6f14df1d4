-- Least privilege. The service role's rights are set at every migration run
-- (cqx_eventstore.privileges): it owns nothing and may only read and append the log. This
-- version marks a schema whose role was brought to that state, so that a service started
-- with its role's DSN alone refuses a schema an older version migrated; and it makes the
-- tracking records append-only in the database too, like the events and the outcomes.

CREATE TRIGGER tracking_append_only BEFORE UPDATE OR DELETE ON tracking
    FOR EACH ROW EXECUTE FUNCTION reject_log_change();
CREATE TRIGGER tracking_no_truncate BEFORE TRUNCATE ON tracking
    FOR EACH STATEMENT EXECUTE FUNCTION reject_log_change();
