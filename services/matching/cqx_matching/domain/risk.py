"""Pre-trade risk (R-T5): each account's free and reserved cash and allowances.

Accepting a buy reserves price × quantity + fee; accepting a sell reserves the quantity.
A fill consumes its part of the reservation (and frees what the better price saved); a
cancel or expiry releases the rest. Every reservation is held under a key — the instrument,
the trading mode and the id of the order, deal, bid or announcement — and always equals what
that key's open remainder needs. Allowances bought today are *pending* until the day closes
(R-T6); cash from a sale is free at once. Money is integer fen, allowances integer tonnes.
"""

from __future__ import annotations

from typing import Any

from cqx_matching.domain.errors import InconsistentStateError, check
from cqx_matching.domain.events import TradeExecuted
from cqx_matching.domain.instruments import buy_requirement

ReservationKey = tuple[str, str, str]  # instrument, trading mode, order/deal/bid/auction id


class Reservation:
    """What one open order (or quote, bid, announcement) holds back from its account."""

    __slots__ = ("account", "cash", "fee_bps", "instrument", "is_buy", "price", "remaining")

    def __init__(
        self,
        account: str,
        instrument: str,
        is_buy: bool,
        price: int,
        remaining: int,
        fee_bps: int,
    ) -> None:
        self.account = account
        self.instrument = instrument
        self.is_buy = is_buy
        self.price = price
        self.remaining = remaining
        self.fee_bps = fee_bps
        self.cash = self.cash_needed()

    def cash_needed(self) -> int:
        """Cash the open remainder needs: notional at the limit plus fee; 0 for a sell."""
        return buy_requirement(self.price, self.remaining, self.fee_bps) if self.is_buy else 0

    def allowances(self) -> int:
        """Allowances the open remainder needs: its quantity for a sell; 0 for a buy."""
        return 0 if self.is_buy else self.remaining


class AllowancePosition:
    """An account's trading position in one instrument."""

    __slots__ = ("free", "pending", "reserved")

    def __init__(self) -> None:
        self.free = 0
        self.reserved = 0
        self.pending = 0  # bought today: sellable from the next trading day (R-T6)


class RiskLedger:
    """Free and reserved cash and allowances for every account that trades."""

    def __init__(self) -> None:
        self.cash_free: dict[str, int] = {}
        self.cash_reserved: dict[str, int] = {}
        self.positions: dict[tuple[str, str], AllowancePosition] = {}
        self.reservations: dict[ReservationKey, Reservation] = {}

    # --- questions the decisions ask ---------------------------------------------------

    def free_cash(self, account: str) -> int:
        """Cash the account may still commit."""
        return self.cash_free.get(account, 0)

    def free_allowances(self, account: str, instrument: str) -> int:
        """Allowances of ``instrument`` the account may sell now."""
        position = self.positions.get((account, instrument))
        return position.free if position else 0

    def knows(self, account: str) -> bool:
        """Whether funds or allowances of ``account`` ever came into trading (a scan:
        asked only when refusing)."""
        return account in self.cash_free or any(a == account for a, _ in self.positions)

    def held(self, key: ReservationKey) -> Reservation | None:
        """The reservation held under ``key``, if any."""
        return self.reservations.get(key)

    def position(self, account: str, instrument: str) -> AllowancePosition:
        """The account's position in ``instrument`` (created empty on first use)."""
        key = (account, instrument)
        position = self.positions.get(key)
        if position is None:
            position = self.positions[key] = AllowancePosition()
        return position

    # --- changes, applied from events --------------------------------------------------

    def deposit(self, account: str, amount: int) -> None:
        """Cash in (negative: out)."""
        self.cash_free[account] = self.cash_free.get(account, 0) + amount
        self.cash_reserved.setdefault(account, 0)

    def assign(self, account: str, instrument: str, quantity: int) -> None:
        """Allowances into the trading position (negative: back to the registry)."""
        self.position(account, instrument).free += quantity

    def reserve(self, key: ReservationKey, reservation: Reservation) -> None:
        """Hold back what a newly accepted order, quote or bid needs."""
        if key in self.reservations:  # not check(): the message would be built every time
            raise InconsistentStateError(f"reservation {key} held twice")
        self.reservations[key] = reservation
        self._hold(reservation, reservation.cash, reservation.allowances())

    def resize(self, key: ReservationKey, price: int, remaining: int) -> None:
        """The order behind ``key`` now has ``remaining`` at limit ``price``."""
        reservation = self.reservations[key]
        cash, allowances = reservation.cash, reservation.allowances()
        reservation.price, reservation.remaining = price, remaining
        reservation.cash = reservation.cash_needed()
        self._hold(reservation, reservation.cash - cash, reservation.allowances() - allowances)
        if not remaining:
            del self.reservations[key]

    def release(self, key: ReservationKey) -> None:
        """Give back everything held under ``key`` (cancel, expiry, withdrawal, close)."""
        reservation = self.reservations.get(key)
        if reservation is not None:
            self.resize(key, reservation.price, 0)

    def _hold(self, reservation: Reservation, cash: int, allowances: int) -> None:
        account = reservation.account
        if cash:
            self.cash_free[account] = self.cash_free.get(account, 0) - cash
            self.cash_reserved[account] = self.cash_reserved.get(account, 0) + cash
        if allowances:
            position = self.position(account, reservation.instrument)
            position.free -= allowances
            position.reserved += allowances

    def settle(
        self, trade: TradeExecuted, buy_key: ReservationKey, sell_key: ReservationKey
    ) -> None:
        """Apply a trade: both legs move their reservations and balances.

        The buyer pays notional + fee and receives pending allowances (R-T6); the seller
        delivers and is paid notional - fee. Each leg draws on the reservation held under its
        key by its own account, else on free balances (a listed taker or a block accepter,
        which trade the moment they are checked).
        """
        quantity, notional = trade.quantity, trade.price * trade.quantity
        held = self.reservations.get(buy_key)
        if held is not None and held.account == trade.buyer:
            self.resize(buy_key, held.price, held.remaining - quantity)  # frees ≥ the cost
        self.deposit(trade.buyer, -(notional + trade.buyer_fee))
        self.position(trade.buyer, trade.instrument).pending += quantity
        held = self.reservations.get(sell_key)
        if held is not None and held.account == trade.seller:
            self.resize(sell_key, held.price, held.remaining - quantity)
        self.position(trade.seller, trade.instrument).free -= quantity
        self.deposit(trade.seller, notional - trade.seller_fee)

    def mature(self) -> None:
        """The day closed: allowances bought today become sellable (R-T6)."""
        for position in self.positions.values():
            position.free += position.pending
            position.pending = 0

    # --- checks -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The ledger as plain values, for comparing a live ledger with a rebuilt one."""
        return {
            "cash": sorted((a, f, self.cash_reserved.get(a, 0)) for a, f in self.cash_free.items()),
            "positions": sorted(
                (k, p.free, p.reserved, p.pending) for k, p in self.positions.items()
            ),
            "reservations": sorted(
                (k, r.account, r.instrument, r.is_buy, r.price, r.remaining, r.cash)
                for k, r in self.reservations.items()
            ),
        }

    def validate_internal_state(self) -> None:
        """Reserved balances equal the sum of reservations, and nothing is negative."""
        cash: dict[str, int] = {}
        held: dict[tuple[str, str], int] = {}
        for key, r in self.reservations.items():
            check(r.remaining > 0, f"reservation {key} with nothing remaining")
            check(r.cash == r.cash_needed(), f"reservation {key} holds {r.cash}")
            cash[r.account] = cash.get(r.account, 0) + r.cash
            held[(r.account, r.instrument)] = held.get((r.account, r.instrument), 0)
            held[(r.account, r.instrument)] += r.allowances()
        for account, free in self.cash_free.items():
            reserved = self.cash_reserved.get(account, 0)
            check(free >= 0, f"{account} free cash {free} < 0")
            check(reserved == cash.get(account, 0), f"{account} reserved cash {reserved}")
        for position_key, p in self.positions.items():
            check(min(p.free, p.reserved, p.pending) >= 0, f"{position_key} negative position")
            check(p.reserved == held.get(position_key, 0), f"{position_key} reserved {p.reserved}")
