"""The whole of CQX on one machine: the four services as processes beside the infrastructure."""

from cqx_local.system import SERVICES, LocalSystem

__all__ = ["SERVICES", "LocalSystem"]
