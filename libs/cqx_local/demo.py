"""The demo of ``make run`` (:func:`seed`) and ``make demo`` (:func:`trade_a_day`)."""

from cqx_local.demo_seed import seed
from cqx_local.demo_session import trade_a_day

__all__ = ["seed", "trade_a_day"]
