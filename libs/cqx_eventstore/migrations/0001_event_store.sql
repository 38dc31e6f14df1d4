-- The event store of one service: the append-only log, its head (the per-store lock and the
-- hash chain's tip), idempotency records and consumer tracking records.
-- Applied with search_path set to the service's schema.

CREATE TABLE events (
    position        bigint      PRIMARY KEY,
    stream_id       text        NOT NULL,
    stream_version  bigint      NOT NULL CHECK (stream_version > 0),
    event_id        uuid        NOT NULL,
    event_type      text        NOT NULL,
    payload         bytea       NOT NULL,
    metadata        bytea       NOT NULL,  -- canonical JSON, exactly the bytes hashed
    recorded_at     timestamptz NOT NULL,
    prev_hash       bytea       NOT NULL,
    hash            bytea       NOT NULL,
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);

-- One row. Every append locks it FOR UPDATE, so positions are assigned in commit order
-- (a tailer reading by position never skips a late commit) and the hash chain is serial.
CREATE TABLE head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL,
    hash      bytea   NOT NULL
);
INSERT INTO head (position, hash) VALUES (0, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE idempotency (
    request_id  text        PRIMARY KEY,
    outcome     bytea       NOT NULL,
    position    bigint      NOT NULL,  -- the head position once the request's events committed
    recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tracking (
    consumer    text        NOT NULL,
    event_id    uuid        NOT NULL,
    position    bigint      NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

CREATE FUNCTION reject_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on %.% is not allowed',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION reject_log_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION reject_log_change();
CREATE TRIGGER idempotency_append_only BEFORE UPDATE OR DELETE ON idempotency
    FOR EACH ROW EXECUTE FUNCTION reject_log_change();
CREATE TRIGGER idempotency_no_truncate BEFORE TRUNCATE ON idempotency
    FOR EACH STATEMENT EXECUTE FUNCTION reject_log_change();
