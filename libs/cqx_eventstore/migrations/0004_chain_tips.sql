-- The last envelope each consumer accepted from each one-partition topic it reads: the tip of
-- the source's hash chain as this consumer has checked it (cqx_bus.provenance), so that a
-- restart goes on checking each next envelope's prev_hash from there.

CREATE TABLE chain_tips (
    consumer    text        NOT NULL,
    topic       text        NOT NULL,
    position    bigint      NOT NULL CHECK (position > 0),
    hash        bytea       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, topic)
);
