"""The clearing house's own settings."""

from __future__ import annotations

import pytest

from cqx_kernel.errors import InvalidArgumentError
from cqx_settlement.config import SettlementSettings


def test_the_fee_account_defaults_to_exchange_fees() -> None:
    assert SettlementSettings.from_env({}).fee_account_id == "exchange-fees"


def test_the_fee_account_is_read_from_the_environment() -> None:
    settings = SettlementSettings.from_env({"CQX_FEE_ACCOUNT": "seee-fees"})
    assert settings.fee_account_id == "seee-fees"


def test_a_fee_account_that_is_no_account_id_is_a_clear_error() -> None:
    with pytest.raises(InvalidArgumentError, match="CQX_FEE_ACCOUNT"):
        SettlementSettings.from_env({"CQX_FEE_ACCOUNT": "fees of the exchange"})
