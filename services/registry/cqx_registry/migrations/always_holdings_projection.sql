-- The holdings projection (cqx_registry.adapters.holdings_table): run at every migration, so
-- that tables dropped by an administrator come back empty (checkpoint 0) and the registry
-- rebuilds them from its log at its next start. The administrator owns them; the registry's
-- role may read, add and change rows (the projector's upsert), never delete or truncate.

CREATE TABLE IF NOT EXISTS holdings (
    account_id      text   NOT NULL,
    instrument      text   NOT NULL,
    registry_tonnes bigint NOT NULL,
    trading_tonnes  bigint NOT NULL,
    frozen_tonnes   bigint NOT NULL,
    position        bigint NOT NULL,
    PRIMARY KEY (account_id, instrument)
);
CREATE TABLE IF NOT EXISTS projection_checkpoints (
    name     text   PRIMARY KEY,
    position bigint NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('holdings', 0)
    ON CONFLICT (name) DO NOTHING;

GRANT SELECT, INSERT, UPDATE ON holdings TO :"service_role";
GRANT SELECT, UPDATE ON projection_checkpoints TO :"service_role";
