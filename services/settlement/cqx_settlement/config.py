"""The clearing house's own settings, read once from the environment beside RuntimeSettings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from cqx_kernel.errors import InvalidArgumentError
from cqx_settlement.domain.validation import account_id_problem

DEFAULT_FEE_ACCOUNT = "exchange-fees"


@dataclass(frozen=True)
class SettlementSettings:
    """``CQX_FEE_ACCOUNT``: the account the exchange's fees are credited to."""

    fee_account_id: str = DEFAULT_FEE_ACCOUNT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SettlementSettings:
        """Read the settings; a malformed value is a clear error."""
        env = os.environ if environ is None else environ
        fee_account_id = env.get("CQX_FEE_ACCOUNT", "").strip() or DEFAULT_FEE_ACCOUNT
        if account_id_problem(fee_account_id) is not None:
            raise InvalidArgumentError(
                f"CQX_FEE_ACCOUNT is not 1-64 characters of [A-Za-z0-9_-]: {fee_account_id!r}"
            )
        return cls(fee_account_id=fee_account_id)
