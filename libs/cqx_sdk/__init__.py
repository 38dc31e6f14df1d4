"""The CQX client: an async SDK over the four services, and the ``cqx`` command line on it.

``async with CqxClient(Addresses.from_env()) as client:`` opens a channel per service;
``client.registry``, ``client.allocation``, ``client.matching`` and ``client.settlement``
offer what a user does. Prices are integer fen (``parse_price("74.63") == 7463``), amounts
integer fen, quantities whole tonnes. Every mutating method takes ``request_id`` (a fresh
uuid4 by default) so a retry is safe; refusals raise :class:`CqxApiError`.
"""

from cqx_sdk.channels import Addresses, new_request_id
from cqx_sdk.client import CqxClient
from cqx_sdk.errors import (
    CqxApiError,
    CqxClientError,
    InvalidValueError,
    ServiceUnavailableError,
)
from cqx_sdk.matching_views import OrderType, Side, TimeInForce, TradingMode
from cqx_sdk.money import (
    format_amount,
    format_price,
    parse_amount,
    parse_price,
    parse_quantity,
)
from cqx_sdk.registry_views import AccountKind, ParticipantKind

__all__ = [
    "AccountKind",
    "Addresses",
    "CqxApiError",
    "CqxClient",
    "CqxClientError",
    "InvalidValueError",
    "OrderType",
    "ParticipantKind",
    "ServiceUnavailableError",
    "Side",
    "TimeInForce",
    "TradingMode",
    "format_amount",
    "format_price",
    "new_request_id",
    "parse_amount",
    "parse_price",
    "parse_quantity",
]
