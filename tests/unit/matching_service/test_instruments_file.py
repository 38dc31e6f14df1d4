"""Per-instrument configuration (CQX_MATCHING_INSTRUMENTS): what the operator writes is what an
instrument trades under when it is listed; a mistake stops the service with its place named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cqx_kernel.errors import InvalidArgumentError
from cqx_matching.config import MatchingSettings
from cqx_matching.domain import BiddingAllocation, SelfTradePrevention, TradingMode


def settings_with(tmp_path: Path, document: object) -> MatchingSettings:
    path = tmp_path / "instruments.json"
    path.write_text(json.dumps(document))
    return MatchingSettings.from_env(
        {"CQX_MATCHING_INSTRUMENTS": str(path), "CQX_MATCHING_FEE_BPS": "5"}
    )


def test_an_instrument_trades_under_its_own_settings_and_others_under_the_exchanges(
    tmp_path: Path,
) -> None:
    settings = settings_with(
        tmp_path,
        {
            "CEA-2024": {
                "modes": ["continuous", "block"], "fee_bps": 3, "listed_band_bps": 500,
                "block_quantity_minimum_tonnes": 50_000, "tick_fen": 5, "depth_levels": 10,
                "self_trade_prevention": "CANCEL_BOTH", "bidding_allocation": "PRICE_PRO_RATA",
            }
        },
    )  # fmt: skip
    own = settings.instrument_config("CEA-2024")
    assert own.modes == {TradingMode.CONTINUOUS, TradingMode.BLOCK}
    assert (own.fee_bps, own.listed_band_bps, own.block_quantity_minimum) == (3, 500, 50_000)
    assert (own.tick, own.depth_levels) == (5, 10)
    assert own.self_trade_prevention is SelfTradePrevention.CANCEL_BOTH
    assert own.bidding_allocation is BiddingAllocation.PRICE_PRO_RATA
    other = settings.instrument_config("CEA-2025")
    assert (other.fee_bps, other.listed_band_bps, len(other.modes)) == (5, 1_000, 4)


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"CEA-2024": {"fee": 3}}, "CEA-2024.fee is not a setting"),
        ({"CEA-2024": {"fee_bps": 10_001}}, "CEA-2024.fee_bps must be a whole number"),
        ({"CEA-2024": {"fee_bps": "3"}}, "CEA-2024.fee_bps must be a whole number"),
        ({"CEA-2024": {"modes": []}}, "CEA-2024.modes must be a non-empty list"),
        ({"CEA-2024": {"modes": ["auction"]}}, "CEA-2024.modes must be a non-empty list"),
        ({"CEA-2024": {"self_trade_prevention": "NONE"}}, "must be one of CANCEL_NEWEST"),
        ({"CEA-2024": 3}, "CEA-2024 must be an object"),
        ({"CEA-2O24": {"fee_bps": 3}}, "'CEA-2O24' is not an instrument"),
        (["CEA-2024"], "must be an object of instruments"),
    ],
)
def test_a_mistake_names_the_instrument_and_the_setting(
    tmp_path: Path, document: object, named: str
) -> None:
    with pytest.raises(InvalidArgumentError, match="CQX_MATCHING_INSTRUMENTS") as refused:
        settings_with(tmp_path, document)
    assert named in refused.value.message


def test_a_missing_or_broken_file_is_named(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.json")
    with pytest.raises(InvalidArgumentError, match="cannot read it"):
        MatchingSettings.from_env({"CQX_MATCHING_INSTRUMENTS": missing})
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(InvalidArgumentError, match="not JSON"):
        MatchingSettings.from_env({"CQX_MATCHING_INSTRUMENTS": str(broken)})
