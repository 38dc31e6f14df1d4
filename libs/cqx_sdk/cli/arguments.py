"""Argument checks done before any call: a bad value is a usage error (exit 2) naming it."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import date, time
from typing import NoReturn

from cqx_sdk.errors import InvalidValueError
from cqx_sdk.money import parse_amount, parse_price, parse_quantity

USAGE_ERROR = 2
_ADDRESS = re.compile(r"^[A-Za-z0-9_.\-\[\]:]+:[0-9]{1,5}$")


class UsageError(Exception):
    """The command line is wrong: ``prog`` names the (sub)command, ``message`` the problem."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(f"{prog}: error: {message}")
        self.prog = prog
        self.message = message


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser that raises :class:`UsageError` instead of printing usage and
    exiting, so that the caller prints one line and returns exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Raise instead of exiting."""
        raise UsageError(self.prog, message)


def _checked(parse: Callable[[str], int], text: str) -> int:
    try:
        return parse(text)
    except InvalidValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def price(text: str) -> int:
    """A price in CNY (``74.50``) → fen."""
    return _checked(parse_price, text)


def amount(text: str) -> int:
    """An amount in CNY (``1000000.00``) → fen."""
    return _checked(parse_amount, text)


def quantity(text: str) -> int:
    """A positive whole number of tonnes."""
    return _checked(parse_quantity, text)


def position(text: str) -> int:
    """A registry log position (a whole number ≥ 1)."""
    if not re.fullmatch(r"[0-9]+", text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"position must be a whole number ≥ 1, not {text!r}")
    return int(text)


def trading_date(text: str) -> str:
    """A date as yyyy-mm-dd."""
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"date must be yyyy-mm-dd, not {text!r}") from None


def time_of_day(text: str) -> time:
    """A time of day as HH:MM or HH:MM:SS (Asia/Shanghai)."""
    if not re.fullmatch(r"[0-9]{2}:[0-9]{2}(:[0-9]{2})?", text.strip()):
        raise argparse.ArgumentTypeError(f"time must be HH:MM or HH:MM:SS, not {text!r}")
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"time must be HH:MM or HH:MM:SS, not {text!r}") from None


def minutes(text: str) -> int:
    """A positive whole number of minutes."""
    if not re.fullmatch(r"[0-9]{1,4}", text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"minutes must be a whole number ≥ 1, not {text!r}")
    return int(text)


def address(text: str) -> str:
    """A service address, ``HOST:PORT``."""
    if not _ADDRESS.match(text.strip()):
        raise argparse.ArgumentTypeError(f"address must be HOST:PORT, not {text!r}")
    return text.strip()


def identifier(text: str) -> str:
    """An id: 1-64 characters of [A-Za-z0-9_-] (as the services accept them)."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an id (1-64 characters of letters, digits, '_' and '-')"
        )
    return text
