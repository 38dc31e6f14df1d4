"""The migration step on its own (compose's setup job), then the registry run with its role's
DSN alone: it migrates nothing; it refuses a schema that is behind its code, or whose holdings
tables were dropped, and says to run the migration step; once that has run, it serves as its
role, and the holdings table is rebuilt from the log."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass

import asyncpg
import pytest

from cqx_bus import KafkaAccess
from cqx_eventstore.migrate import SchemaNotReadyError, service_dsn
from cqx_infra import project_root
from cqx_service import RuntimeSettings
from tests.component.registry.support import eventually, registry_service
from tests.support.pki import pki_dir


@dataclass(frozen=True)
class Deployment:
    """One namespace: the administrator's environment and the registry's role-only settings."""

    admin_env: dict[str, str]
    role_only: RuntimeSettings
    database_url: str

    @property
    def schema(self) -> str:
        return self.role_only.schema

    async def migration_step(self) -> str:
        """``python -m cqx_registry migrate``, as the setup job runs it; its output."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cqx_registry", "migrate",
            env=self.admin_env, cwd=project_root(),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        return out.decode()

    async def as_admin(self, *statements: str) -> None:
        connection = await asyncpg.connect(self.database_url)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()


@pytest.fixture
async def deployment(database_url: str, kafka_admin: KafkaAccess, unique_name: str) -> Deployment:
    namespace = f"{unique_name}_"
    common = {
        "CQX_KAFKA_BOOTSTRAP": kafka_admin.bootstrap,
        "CQX_KAFKA_ADMIN_USERNAME": kafka_admin.credentials.username,
        "CQX_KAFKA_ADMIN_PASSWORD": kafka_admin.credentials.password,
        "CQX_NAMESPACE": namespace,
        "CQX_PKI_DIR": str(pki_dir()),
    }
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CQX_")}
    admin_env = {**inherited, **common, "CQX_DATABASE_URL": database_url}
    role_dsn = service_dsn(database_url, f"{namespace}registry")
    role_only = RuntimeSettings.from_env(
        "registry",
        0,
        {**common, "CQX_REGISTRY_DATABASE_URL": role_dsn, "CQX_GRACE_SECONDS": "1"},
    )
    assert role_only.database_url is None
    return Deployment(admin_env, role_only, database_url)


async def test_without_the_migration_step_the_service_stops_and_creates_nothing(
    deployment: Deployment,
) -> None:
    with pytest.raises(SchemaNotReadyError, match="python -m cqx_registry migrate"):
        async with registry_service(deployment.role_only):
            pass
    connection = await asyncpg.connect(deployment.database_url)
    try:
        assert await connection.fetchval("SELECT to_regnamespace($1)", deployment.schema) is None
    finally:
        await connection.close()


async def test_after_the_migration_step_the_registry_serves_as_its_role(
    deployment: Deployment,
) -> None:
    out = await deployment.migration_step()
    assert out == (
        f"cqx-registry: schema {deployment.schema} up to date;"
        " applied now: 0001_event_store 0002_bus 0003_least_privilege 0004_chain_tips\n"
    )
    async with registry_service(deployment.role_only) as registry:
        assert registry.projector is not None
        role = await registry.app.store.pool.fetchval("SELECT current_user")
        assert role == f"cqx_{deployment.schema}"
        await registry.open("A")
        await registry.open("B")
        await registry.recorded(0, "AccountOpened", "AccountOpened")
        projector = registry.projector

        async def caught_up() -> bool:
            return await projector.checkpoint() == await registry.head()

        await eventually(caught_up)  # the projector writes its tables as the role
    assert await deployment.migration_step() == (
        f"cqx-registry: schema {deployment.schema} up to date; applied now: none\n"
    )


async def test_dropped_projection_tables_stop_the_service_until_the_migration_step_runs(
    deployment: Deployment,
) -> None:
    await deployment.migration_step()
    s = deployment.schema
    await deployment.as_admin(f"DROP TABLE {s}.holdings, {s}.projection_checkpoints")
    with pytest.raises(SchemaNotReadyError, match=r"holdings projection tables .* missing"):
        async with registry_service(deployment.role_only):
            pass
    await deployment.migration_step()
    async with registry_service(deployment.role_only) as registry:
        assert registry.projector is not None
        assert await registry.projector.checkpoint() == 0


async def test_a_schema_an_older_version_migrated_is_refused_until_the_migration_step(
    deployment: Deployment,
) -> None:
    await deployment.migration_step()
    s = deployment.schema
    await deployment.as_admin(
        f"DROP TRIGGER tracking_append_only ON {s}.tracking",
        f"DROP TRIGGER tracking_no_truncate ON {s}.tracking",
        f"DELETE FROM {s}.schema_migrations WHERE version = 3",
    )
    with pytest.raises(SchemaNotReadyError, match=r"not applied: 0003_least_privilege"):
        async with registry_service(deployment.role_only):
            pass
    assert "applied now: 0003_least_privilege" in await deployment.migration_step()
    async with registry_service(deployment.role_only) as registry:
        await registry.open("A")
        await registry.recorded(0, "AccountOpened")
