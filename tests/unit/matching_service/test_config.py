"""The exchange's settings, its calendars and the well-formedness of requests."""

from __future__ import annotations

from datetime import date, time

import pytest

from cqx_kernel.calendar import AroundTheClockCalendar
from cqx_kernel.errors import InvalidArgumentError
from cqx_matching.config import MatchingSettings
from cqx_matching.domain import SelfTradePrevention, TradingMode
from cqx_matching.domain.instruments import is_instrument

SATURDAY = date(2025, 3, 8)


def test_defaults_are_the_exchanges_calendar_and_five_basis_points() -> None:
    settings = MatchingSettings.from_env({})
    assert (settings.fee_bps, settings.tick_fen, settings.sessions) == (5, 1, "exchange")
    config = settings.instrument_config("CEA-2024")
    assert (config.fee_bps, config.tick, config.previous_close) == (5, 1, 0)
    calendar = settings.calendar()
    assert not calendar.is_trading_day(SATURDAY)  # R-T4
    assert not calendar.is_open(TradingMode.LISTED, calendar.at(date(2025, 3, 3), time(12, 0)))


def test_settings_are_read_from_the_environment() -> None:
    settings = MatchingSettings.from_env(
        {
            "CQX_MATCHING_FEE_BPS": "3",
            "CQX_MATCHING_SESSIONS": "around-the-clock",
            "CQX_MATCHING_HOLIDAYS": "2025-10-01, 2025-10-02",
            "CQX_MATCHING_SELF_TRADE_PREVENTION": "CANCEL_BOTH",
        }
    )
    assert settings.fee_bps == 3
    assert settings.holidays == {date(2025, 10, 1), date(2025, 10, 2)}
    assert settings.self_trade_prevention is SelfTradePrevention.CANCEL_BOTH
    calendar = settings.calendar()
    assert isinstance(calendar, AroundTheClockCalendar)
    assert calendar.is_trading_day(SATURDAY)
    assert not calendar.is_trading_day(date(2025, 10, 1))
    assert calendar.is_open(TradingMode.BLOCK, calendar.at(SATURDAY, time(3, 0)))
    assert calendar.close_of(SATURDAY) == calendar.at(SATURDAY, time(0, 0))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CQX_MATCHING_FEE_BPS", "-1"),
        ("CQX_MATCHING_FEE_BPS", "five"),
        ("CQX_MATCHING_TICK_FEN", "0"),
        ("CQX_MATCHING_SESSIONS", "sometimes"),
        ("CQX_MATCHING_HOLIDAYS", "1 October"),
        ("CQX_MATCHING_SELF_TRADE_PREVENTION", "ALLOW"),
    ],
)
def test_a_malformed_setting_is_a_clear_error(name: str, value: str) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        MatchingSettings.from_env({name: value})
    assert name in error.value.message


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("CEA-2019-2020", True), ("CEA-2021", True), ("CEA-2099", True), ("CCER-P1-B2", True),
        ("CEA-2020", False), ("CEA-2100", False), ("EUA-2024", False), ("cea-2024", False),
        ("CCER-P1", False), ("", False),
    ],
)  # fmt: skip
def test_instrument_codes(code: str, valid: bool) -> None:
    assert is_instrument(code) is valid
