"""Refusals that explain: a rejection reason that also says what was allowed.

A rule returns its reason code; where the rule has figures (a band, a limit, the caller's own
free funds or allowances, an account it does not know) it returns a :class:`Refusal`, which
*is* that code wherever a code is expected: compared, recorded and encoded exactly as before,
so the recorded ``OrderRejected``/``CommandRejected`` keep their shape and bytes. Its
``details`` (integer fen and tonnes, as strings) and ``explanation`` (a sentence, prices in
CNY) travel only to the caller's error. A refusal is built only when a rule refuses, never
on the accepting path, so the book's hot path pays nothing for it.

Only the caller's own figures are ever put in a refusal: a rule that looks at another
participant's order (a maker, a counterparty) says which rule refused, not their balances.
"""

from __future__ import annotations

from collections.abc import Mapping

from cqx_matching.domain.instruments import PriceBand
from cqx_matching.domain.vocabulary import Reason, TradingMode


class Refusal(str):
    """A reason code with ``details`` for the caller's error metadata and an
    ``explanation`` for its message."""

    details: Mapping[str, str]
    explanation: str

    def __new__(cls, reason: str, explanation: str, **details: object) -> Refusal:
        """``reason`` (a :class:`Reason`), a sentence, and the figures behind it."""
        refusal = super().__new__(cls, str(reason))
        refusal.explanation = explanation
        refusal.details = {key: str(value) for key, value in details.items()}
        return refusal


def cny(fen: int) -> str:
    """``8209`` → ``"82.09"``: fen as CNY for a sentence (metadata keeps the fen)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def details_of(reason: str) -> tuple[str, Mapping[str, str]]:
    """The sentence and the figures a reason carries (a bare code: none)."""
    if isinstance(reason, Refusal):
        return reason.explanation, reason.details
    return "", {}


def outside_band(mode: TradingMode, band: PriceBand, reference: int, price: int) -> Refusal:
    """PRICE_OUTSIDE_BAND with the band's edges (R-T2, R-T3)."""
    return Refusal(
        Reason.PRICE_OUTSIDE_BAND,
        f"price {cny(price)} is outside the {mode.value.lower()} band "
        f"{cny(band.lower)}–{cny(band.upper)} CNY (previous close {cny(reference)})",
        mode=mode.value, price_fen=price, band_lower_fen=band.lower,
        band_upper_fen=band.upper, reference_price_fen=reference,
    )  # fmt: skip


def off_tick(price: int, tick: int) -> Refusal:
    """PRICE_NOT_ON_TICK with the tick."""
    return Refusal(
        Reason.PRICE_NOT_ON_TICK,
        f"price {cny(price)} is not a multiple of the tick {cny(tick)} CNY",
        price_fen=price, tick_fen=tick,
    )  # fmt: skip


def too_large(reason: str, mode: TradingMode, quantity: int, limit: int) -> Refusal:
    """An order of ``mode`` at or over its quantity limit (R-T1: it must be under it)."""
    return Refusal(
        reason,
        f"{quantity:,} t is too large for a {mode.value.lower()} order: "
        f"it must be under {limit:,} t (at most {limit - 1:,} t)",
        mode=mode.value, quantity_tonnes=quantity, quantity_limit_tonnes=limit,
        max_quantity_tonnes=limit - 1,
    )  # fmt: skip


def too_small(quantity: int, minimum: int) -> Refusal:
    """BLOCK_QUANTITY_TOO_SMALL with the minimum (R-T3)."""
    return Refusal(
        Reason.BLOCK_QUANTITY_TOO_SMALL,
        f"{quantity:,} t is under the block minimum of {minimum:,} t",
        quantity_tonnes=quantity, min_quantity_tonnes=minimum,
    )  # fmt: skip


def unknown_account(account: str) -> Refusal:
    """ACCOUNT_NOT_FOUND: the exchange has never had funds or allowances of ``account``."""
    return Refusal(
        Reason.ACCOUNT_NOT_FOUND,
        f"account {account} is not known to the exchange: no funds deposited and no "
        "allowances moved into trading",
        account_id=account,
    )  # fmt: skip


def short_of_funds(account: str, required: int, free: int) -> Refusal:
    """INSUFFICIENT_FUNDS with the caller's own free cash and what was needed."""
    return Refusal(
        Reason.INSUFFICIENT_FUNDS,
        f"account {account} has {cny(free)} CNY free; this needs {cny(required)} CNY",
        account_id=account, free_funds_fen=free, required_funds_fen=required,
    )  # fmt: skip


def short_of_allowances(account: str, instrument: str, required: int, free: int) -> Refusal:
    """INSUFFICIENT_ALLOWANCES with the caller's own free (sellable) quantity."""
    return Refusal(
        Reason.INSUFFICIENT_ALLOWANCES,
        f"account {account} has {free:,} t of {instrument} free to sell; this needs "
        f"{required:,} t",
        account_id=account, instrument=instrument, free_quantity_tonnes=free,
        required_quantity_tonnes=required,
    )  # fmt: skip
