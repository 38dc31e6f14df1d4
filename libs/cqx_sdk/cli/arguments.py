"""Argument types checked before any call: a bad value is a usage error (exit 2) naming it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time

import click

from cqx_sdk.errors import InvalidValueError
from cqx_sdk.money import parse_amount, parse_price, parse_quantity

USAGE_ERROR = 2
_ADDRESS = re.compile(r"^[A-Za-z0-9_.\-\[\]:]+:[0-9]{1,5}$")


class UsageError(click.UsageError):
    """The command line is wrong in a way only the command sees (after parsing): ``prog``
    names the (sub)command, ``message`` the problem."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog

    def __str__(self) -> str:
        return f"{self.prog}: error: {self.message}"


class Checked(click.ParamType[object, object]):
    """A value parsed by ``parse``, whose ``ValueError`` names the problem; the value is
    shown as ``metavar`` in the help."""

    def __init__(self, name: str, parse: Callable[[str], object]) -> None:
        self.name = name
        self._parse = parse

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> object:
        """Parse the text (a value already parsed, e.g. a default, passes through)."""
        if not isinstance(value, str):
            return value
        try:
            return self._parse(value)
        except ValueError as error:  # InvalidValueError is a ValueError too
            self.fail(str(error), param, ctx)


def _position(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text.strip()) or int(text) < 1:
        raise ValueError(f"position must be a whole number ≥ 1, not {text!r}")
    return int(text)


def _trading_date(text: str) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ValueError(f"date must be yyyy-mm-dd, not {text!r}") from None


def _time_of_day(text: str) -> time:
    problem = f"time must be HH:MM or HH:MM:SS, not {text!r}"
    if not re.fullmatch(r"[0-9]{2}:[0-9]{2}(:[0-9]{2})?", text.strip()):
        raise ValueError(problem)
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(problem) from None


def _minutes(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,4}", text.strip()) or int(text) < 1:
        raise ValueError(f"minutes must be a whole number ≥ 1, not {text!r}")
    return int(text)


def _address(text: str) -> str:
    if not _ADDRESS.match(text.strip()):
        raise ValueError(f"address must be HOST:PORT, not {text!r}")
    return text.strip()


def _identifier(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", text):
        raise ValueError(f"{text!r} is not an id (1-64 characters of letters, digits, '_' and '-')")
    return text


def _checked_money(parse: Callable[[str], int]) -> Callable[[str], int]:
    def checked(text: str) -> int:
        try:
            return parse(text)
        except InvalidValueError as error:
            raise ValueError(str(error)) from None

    return checked


#: A price in CNY (``74.50``) → fen.
PRICE = Checked("price", _checked_money(parse_price))
#: An amount in CNY (``1000000.00``) → fen.
AMOUNT = Checked("amount", _checked_money(parse_amount))
#: A positive whole number of tonnes (also a count: ``--last``, ``--depth``).
QUANTITY = Checked("quantity", _checked_money(parse_quantity))
#: A registry log position (a whole number ≥ 1).
POSITION = Checked("position", _position)
#: A date as yyyy-mm-dd.
TRADING_DATE = Checked("date", _trading_date)
#: A time of day as HH:MM or HH:MM:SS (Asia/Shanghai).
TIME_OF_DAY = Checked("time", _time_of_day)
#: A positive whole number of minutes.
MINUTES = Checked("minutes", _minutes)
#: A service address, ``HOST:PORT``.
ADDRESS = Checked("address", _address)
#: An id: 1-64 characters of [A-Za-z0-9_-] (as the services accept them).
IDENTIFIER = Checked("id", _identifier)
#: A side of the book.
SIDE = click.Choice(["buy", "sell"])
