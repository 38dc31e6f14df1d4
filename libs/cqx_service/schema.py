"""A service's schema: which migrations it has, the migration step, and the version check.

A service's migrations are the event store's and, if the service has one, the folder
``cqx_<service>/migrations`` beside its code. They run as the administrator: at start when
the service is given ``CQX_DATABASE_URL`` (local runs, tests), or in a step of their own,
``python -m cqx_<service> migrate`` (compose's setup job). A service given only its role's
DSN does not migrate: it checks that its schema is at the version its code expects, and
stops with :class:`~cqx_eventstore.migrate.SchemaNotReadyError` if not.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from cqx_eventstore.migrate import check_schema, migrate
from cqx_kernel.errors import InvalidArgumentError
from cqx_service.settings import RuntimeSettings


def service_migrations(service: str) -> list[Path]:
    """The folder of ``service``'s own migrations (``cqx_<service>/migrations``), if any."""
    spec = importlib.util.find_spec(f"cqx_{service}")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "migrations"
        if folder.is_dir():
            return [folder]
    return []


async def migrate_schema(settings: RuntimeSettings, folders: Sequence[Path]) -> list[str]:
    """Run the migrations as the administrator; the names of those applied now."""
    if settings.database_url is None:
        raise InvalidArgumentError(
            "the migration step needs CQX_DATABASE_URL, the administrator's DSN"
        )
    return await migrate(
        settings.database_url, settings.schema, *folders, role_password=settings.role_password
    )


async def check_schema_version(settings: RuntimeSettings, folders: Sequence[Path]) -> None:
    """Stop (:class:`SchemaNotReadyError`) unless the schema is at this code's version."""
    await check_schema(
        settings.service_database_url,
        settings.schema,
        *folders,
        remedy=f"run the migration step first: `python -m cqx_{settings.service} migrate` with"
        " CQX_DATABASE_URL, the administrator's DSN",
    )
