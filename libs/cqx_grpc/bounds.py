"""The bounds every field of every CQX request keeps: one table for the four services.

A field's rule comes from its type and unit, unless :data:`FIELD_RULES` names the field (by
its full proto name) with a rule of its own:

- a string is an identifier of at most :data:`MAX_ID_LENGTH` characters without control
  characters, or free text (names, reasons) of at most :data:`MAX_TEXT_LENGTH` without control
  characters other than tab and line breaks; proto3 already guarantees valid UTF-8, but
  PostgreSQL cannot store a NUL in text, so a NUL in any id once made the store fail;
- a repeated field holds at most :data:`MAX_ITEMS` values, each checked by the field's rule;
- an integer is never negative (no CQX request gives a negative number a meaning) and stays
  under the maximum of its unit, read from the field's name: ``*_tonnes`` a quantity,
  ``*price_fen`` and ``*close_fen`` a price, other ``*_fen`` an amount of money, ``*_us`` a
  time, ``*_position`` a log position, ``*year`` a calendar year; anything else a count;
- an enum holds one of its defined values; the ``_UNSPECIFIED`` zero too, unless the field is
  listed as required (the zero means nothing there).

The maxima keep every sum the services compute inside int64 (decision 0008):
``price × quantity`` is at most 10^8 × 10^10 = 10^18, and the two fees are at most the
notional each (a fee is below 10,000 bps), so ``price × quantity + fees`` ≤ 3 × 10^18 < 2^63.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from google.protobuf.descriptor import FieldDescriptor

INT64_MAX = 2**63 - 1
MAX_ID_LENGTH = 128
MAX_TEXT_LENGTH = 1024
MAX_ITEMS = 1_000
MAX_QUANTITY_TONNES = 10**10
MAX_PRICE_FEN = 10**8  # 1,000,000 CNY per tonne
MAX_MONEY_FEN = 10**15  # 10 trillion CNY
EARLIEST_TIME_US = 946_684_800_000_000  # 2000-01-01T00:00:00Z
LATEST_TIME_US = 7_258_118_400_000_000  # 2200-01-01T00:00:00Z
MAX_YEAR = 9_999  # the last year a date can hold

# The reasons of a refusal at the edge: the same words in every service.
FIELD_TOO_LONG = "FIELD_TOO_LONG"
CONTROL_CHARACTER = "CONTROL_CHARACTER"
TOO_MANY_ITEMS = "TOO_MANY_ITEMS"
VALUE_OUT_OF_RANGE = "VALUE_OUT_OF_RANGE"
ENUM_VALUE_UNKNOWN = "ENUM_VALUE_UNKNOWN"
ENUM_VALUE_REQUIRED = "ENUM_VALUE_REQUIRED"
REQUEST_UNDECODABLE = "REQUEST_UNDECODABLE"
EDGE_REASONS = frozenset(
    {
        FIELD_TOO_LONG,
        CONTROL_CHARACTER,
        TOO_MANY_ITEMS,
        VALUE_OUT_OF_RANGE,
        ENUM_VALUE_UNKNOWN,
        ENUM_VALUE_REQUIRED,
        REQUEST_UNDECODABLE,
    }
)


@dataclass(frozen=True, slots=True)
class TextBound:
    """A string (or bytes) of at most ``max_length`` characters; ``kind`` says what it is;
    none of the ``forbidden`` characters (bytes are not checked for them)."""

    max_length: int
    kind: str
    forbidden: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class IntBound:
    """An integer in ``[minimum, maximum]`` (or 0, "not given", when ``zero_allowed``)."""

    minimum: int
    maximum: int
    kind: str
    zero_allowed: bool = False

    def allows(self, value: int) -> bool:
        """Whether ``value`` keeps the bound."""
        return self.minimum <= value <= self.maximum or (self.zero_allowed and value == 0)


@dataclass(frozen=True, slots=True)
class EnumBound:
    """One of the enum's defined values; the zero only when not ``required``."""

    required: bool = False


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A field the edge leaves to the service (``why`` says who checks it)."""

    why: str


Rule = TextBound | IntBound | EnumBound | Unchecked

# C0 controls and DEL: never part of an id; free text may hold tabs and line breaks.
CONTROL_CHARACTERS = frozenset(map(chr, (*range(0x20), 0x7F)))
IDENTIFIER = TextBound(MAX_ID_LENGTH, "identifier", CONTROL_CHARACTERS)
FREE_TEXT = TextBound(MAX_TEXT_LENGTH, "free text", CONTROL_CHARACTERS - set("\t\n\r"))
QUANTITY = IntBound(0, MAX_QUANTITY_TONNES, "quantity (t)")
PRICE = IntBound(0, MAX_PRICE_FEN, "price (fen/t)")
MONEY = IntBound(0, MAX_MONEY_FEN, "money (fen)")
TIME = IntBound(EARLIEST_TIME_US, LATEST_TIME_US, "time (µs, 2000-2200)", zero_allowed=True)
POSITION = IntBound(0, INT64_MAX, "log position")
YEAR = IntBound(0, MAX_YEAR, "year")
REQUIRED_ENUM = EnumBound(required=True)
OPTIONAL_ENUM = EnumBound()
PAGING = Unchecked("the service's paging (PAGE_SIZE_*, DEPTH_*)")

# The fields whose rule is not the one of their type and unit: free text, enums whose zero
# means nothing, and what the service's paging checks. Full proto names; a name that is not a
# field of a CQX service is caught by tests/edge/test_bounds.py.
FIELD_RULES: Mapping[str, Rule] = {
    "cqx.registry.v1.RegisterParticipantRequest.name": FREE_TEXT,
    "cqx.registry.v1.RegisterParticipantRequest.kind": REQUIRED_ENUM,
    "cqx.registry.v1.RestrictParticipantRequest.reason": FREE_TEXT,
    "cqx.approvals.v1.RejectActionRequest.reason": FREE_TEXT,
    "cqx.registry.v1.ListParticipantsRequest.page_size": PAGING,
    "cqx.approvals.v1.ListActionsRequest.page_size": PAGING,
    "cqx.registry.v1.OpenAccountRequest.name": FREE_TEXT,
    "cqx.registry.v1.OpenAccountRequest.kind": REQUIRED_ENUM,
    "cqx.registry.v1.FreezeRequest.reason": FREE_TEXT,
    "cqx.registry.v1.ListAccountsRequest.page_size": PAGING,
    "cqx.allocation.v1.RegisterEntityRequest.name": FREE_TEXT,
    "cqx.allocation.v1.RegisterEntityRequest.sector": FREE_TEXT,
    "cqx.allocation.v1.RegisterEntityRequest.province": FREE_TEXT,
    "cqx.allocation.v1.ListEntitiesRequest.page_size": PAGING,
    "cqx.allocation.v1.ListComplianceStatusesRequest.page_size": PAGING,
    "cqx.matching.v1.PlaceOrderRequest.side": REQUIRED_ENUM,
    "cqx.matching.v1.TakeListingRequest.side": REQUIRED_ENUM,
    "cqx.matching.v1.ProposeBlockTradeRequest.side": REQUIRED_ENUM,
    "cqx.matching.v1.AnnounceBiddingRequest.side": REQUIRED_ENUM,
    "cqx.matching.v1.ListOrdersRequest.page_size": PAGING,
    "cqx.matching.v1.ListTradesRequest.page_size": PAGING,
    "cqx.matching.v1.GetOrderBookRequest.depth": PAGING,
    "cqx.settlement.v1.ListSettlementsRequest.page_size": PAGING,
}

_INT_TYPES: Mapping[int, int] = {
    FieldDescriptor.TYPE_INT32: 2**31 - 1,
    FieldDescriptor.TYPE_SINT32: 2**31 - 1,
    FieldDescriptor.TYPE_SFIXED32: 2**31 - 1,
    FieldDescriptor.TYPE_UINT32: 2**32 - 1,
    FieldDescriptor.TYPE_FIXED32: 2**32 - 1,
    FieldDescriptor.TYPE_INT64: INT64_MAX,
    FieldDescriptor.TYPE_SINT64: INT64_MAX,
    FieldDescriptor.TYPE_SFIXED64: INT64_MAX,
    # Positions and counts are int64 in the stores: an unsigned value above it is not one.
    FieldDescriptor.TYPE_UINT64: INT64_MAX,
    FieldDescriptor.TYPE_FIXED64: INT64_MAX,
}


def rule_for(field: FieldDescriptor) -> Rule | None:
    """The rule of one field's values (None for bools and messages: nothing to bound)."""
    named = FIELD_RULES.get(field.full_name)
    if named is not None:
        return named
    if field.type == FieldDescriptor.TYPE_STRING:
        return IDENTIFIER
    if field.type == FieldDescriptor.TYPE_BYTES:
        return TextBound(MAX_TEXT_LENGTH, "bytes")
    if field.type == FieldDescriptor.TYPE_ENUM:
        return OPTIONAL_ENUM
    type_max = _INT_TYPES.get(field.type)
    if type_max is None:
        return None
    return _unit_rule(field.name, type_max)


def _unit_rule(name: str, type_max: int) -> IntBound:
    """An integer's bound, read from the unit its name ends with."""
    if name.endswith("_tonnes"):
        bound = QUANTITY
    elif name.endswith(("price_fen", "close_fen")):
        bound = PRICE
    elif name.endswith("_fen"):
        bound = MONEY
    elif name.endswith("_us"):
        bound = TIME
    elif name.endswith("_position"):
        bound = POSITION
    elif name.endswith("year"):
        bound = YEAR
    else:
        bound = IntBound(0, INT64_MAX, "count")
    if bound.maximum > type_max:  # a narrower wire type: its own maximum is the bound
        return IntBound(bound.minimum, type_max, bound.kind, bound.zero_allowed)
    return bound
