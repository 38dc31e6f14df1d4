"""The local infrastructure launcher: a real PostgreSQL and a real Kafka (KRaft) on loopback.

``with Infrastructure(run_dir=...) as endpoints:`` gives :class:`Endpoints`; the CLI
``python -m cqx_infra up|down|status`` does the same for processes that outlive it, and
``cqx_infra.pytest_plugin`` offers them to tests as session fixtures.
"""

from cqx_infra.endpoints import Endpoints, project_root
from cqx_infra.errors import InfraAbortedError, InfraError, InfraStartError
from cqx_infra.launcher import Infrastructure

__all__ = [
    "Endpoints",
    "InfraAbortedError",
    "InfraError",
    "InfraStartError",
    "Infrastructure",
    "project_root",
]
