"""Per-instrument configuration from a JSON file (``CQX_MATCHING_INSTRUMENTS``).

The operator names, for each instrument, what differs from the exchange-wide settings::

    {
      "CEA-2024": {"modes": ["continuous", "listed"], "fee_bps": 3, "listed_band_bps": 1000},
      "CCER-2025": {"modes": ["block", "bidding"], "block_quantity_minimum_tonnes": 50000}
    }

Keys: ``modes`` (of continuous, listed, block, bidding), ``tick_fen``, ``listed_band_bps``,
``block_band_bps``, ``bidding_band_bps``, ``listed_quantity_limit_tonnes``,
``block_quantity_minimum_tonnes``, ``fee_bps``, ``maker_levels``, ``depth_levels``,
``self_trade_prevention`` (CANCEL_NEWEST, CANCEL_OLDEST, CANCEL_BOTH) and
``bidding_allocation`` (PRICE_TIME, PRICE_PRO_RATA). An instrument takes its configuration
when it is first listed, and the configuration is recorded with it (``InstrumentListed``),
so a replay never depends on the file. A key the exchange does not know, or a value out of
range, stops the service at start with the file, the instrument and the key named.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cqx_kernel.errors import InvalidArgumentError
from cqx_matching.domain import BiddingAllocation, SelfTradePrevention, TradingMode
from cqx_matching.domain.instruments import is_instrument

Overrides = Mapping[str, Mapping[str, Any]]  # instrument → InstrumentConfig field → value


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"a whole number from {low:,} to {high:,}")
        return value

    return check


def _modes(value: Any) -> frozenset[TradingMode]:
    names = {m.value.lower(): m for m in TradingMode}
    if not isinstance(value, list) or not value or any(v not in names for v in value):
        raise ValueError(f"a non-empty list of {', '.join(names)}")
    return frozenset(names[v] for v in value)


def _member(kind: type[SelfTradePrevention] | type[BiddingAllocation]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in kind.__members__:
            raise ValueError(f"one of {', '.join(kind.__members__)}")
        return kind(value)

    return check


BPS = _whole(0, 10_000)
TONNES = _whole(1, 10**12)
# file key → (InstrumentConfig field, check and convert)
_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "modes": ("modes", _modes),
    "tick_fen": ("tick", _whole(1, 1_000_000)),
    "listed_band_bps": ("listed_band_bps", BPS),
    "block_band_bps": ("block_band_bps", BPS),
    "bidding_band_bps": ("bidding_band_bps", BPS),
    "listed_quantity_limit_tonnes": ("listed_quantity_limit", TONNES),
    "block_quantity_minimum_tonnes": ("block_quantity_minimum", TONNES),
    "fee_bps": ("fee_bps", BPS),
    "maker_levels": ("maker_levels", _whole(1, 50)),
    "depth_levels": ("depth_levels", _whole(1, 50)),
    "self_trade_prevention": ("self_trade_prevention", _member(SelfTradePrevention)),
    "bidding_allocation": ("bidding_allocation", _member(BiddingAllocation)),
}


def load_overrides(path: str) -> Overrides:
    """The file's overrides per instrument, checked (an empty path: none)."""
    if not path:
        return {}
    where = f"CQX_MATCHING_INSTRUMENTS ({path})"
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidArgumentError(f"{where}: cannot read it: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise InvalidArgumentError(f"{where}: not JSON: {error}") from None
    if not isinstance(document, dict):
        raise InvalidArgumentError(f"{where}: must be an object of instruments")
    return {name: _instrument(where, name, body) for name, body in document.items()}


def _instrument(where: str, name: str, body: Any) -> dict[str, Any]:
    if not is_instrument(name):
        raise InvalidArgumentError(
            f"{where}: {name!r} is not an instrument (CEA-YYYY, CEA-2019-2020 or "
            "CCER-<project>-<block>)"
        )
    if not isinstance(body, dict):
        raise InvalidArgumentError(f"{where}: {name} must be an object of settings")
    fields: dict[str, Any] = {}
    for key, value in body.items():
        known = _KEYS.get(key)
        if known is None:
            raise InvalidArgumentError(
                f"{where}: {name}.{key} is not a setting (known: {', '.join(_KEYS)})"
            )
        field, check = known
        try:
            fields[field] = check(value)
        except ValueError as error:
            raise InvalidArgumentError(f"{where}: {name}.{key} must be {error}") from None
    return fields
