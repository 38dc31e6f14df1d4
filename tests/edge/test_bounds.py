"""The edge's rules as data: the table names real fields, every request field has a rule, the
published page is current, and the check walks nested messages, lists and maps."""

from __future__ import annotations

from pathlib import Path

import pytest
from cqx.matching.v1 import matching_service_pb2 as matching
from cqx.registry.v1 import registry_service_pb2 as registry
from google.protobuf import struct_pb2
from google.protobuf.message import Message

from cqx_grpc import FIELD_RULES, check_request, rule_for
from cqx_grpc.bounds import (
    INT64_MAX,
    MAX_MONEY_FEN,
    MAX_PRICE_FEN,
    MAX_QUANTITY_TONNES,
    MONEY,
    PRICE,
    QUANTITY,
    TIME,
    Unchecked,
)
from cqx_grpc.bounds_doc import DOC_PATH, render, services
from cqx_kernel.errors import InvalidArgumentError

REPO_ROOT = Path(__file__).resolve().parents[2]


def request_fields() -> dict[str, object]:
    """Every field of every request of the four services, by full name."""
    fields = {}
    for service in services():
        for method in service.methods:
            for field in method.input_type.fields:
                fields[field.full_name] = field
    return fields


def refusal(request: Message) -> tuple[str, dict[str, str]]:
    with pytest.raises(InvalidArgumentError) as refused:
        check_request(request)
    return refused.value.reason, refused.value.metadata


def test_every_name_in_the_table_is_a_request_field() -> None:
    assert set(FIELD_RULES) - set(request_fields()) == set()


def test_every_request_field_has_a_rule_and_holds_no_message() -> None:
    # tests/edge/requests.py generates scalar fields only: extend it before adding a message.
    for name, field in request_fields().items():
        assert getattr(field, "message_type", None) is None, name
        assert rule_for(field) is not None or field.type == field.TYPE_BOOL, name


def test_only_paging_is_left_to_the_services() -> None:
    unchecked = {name for name, rule in FIELD_RULES.items() if isinstance(rule, Unchecked)}
    assert {name.rsplit(".", 1)[1] for name in unchecked} == {"page_size", "depth"}


def test_the_units_are_read_from_the_field_names() -> None:
    fields = request_fields()
    assert rule_for(fields["cqx.matching.v1.PlaceOrderRequest.price_fen"]) == PRICE
    assert rule_for(fields["cqx.matching.v1.TakeListingRequest.limit_price_fen"]) == PRICE
    assert rule_for(fields["cqx.matching.v1.OpenTradingDayRequest.previous_close_fen"]) == PRICE
    assert rule_for(fields["cqx.settlement.v1.DepositFundsRequest.amount_fen"]) == MONEY
    assert rule_for(fields["cqx.registry.v1.FreezeRequest.quantity_tonnes"]) == QUANTITY
    assert rule_for(fields["cqx.matching.v1.AnnounceBiddingRequest.window_end_us"]) == TIME


def test_the_maxima_keep_price_times_quantity_plus_fees_inside_int64() -> None:
    notional = MAX_PRICE_FEN * MAX_QUANTITY_TONNES
    fees = 2 * notional  # each side's fee is below 10,000 bps of the notional
    assert notional + fees <= INT64_MAX
    assert MAX_MONEY_FEN * 1_000 <= INT64_MAX  # a thousand maximal deposits still fit


def test_the_published_bounds_are_the_rules() -> None:
    written = (REPO_ROOT / DOC_PATH).read_text(encoding="utf-8")
    assert written == render(), "run: python -m cqx_grpc.bounds_doc"


@pytest.mark.parametrize(
    ("request_", "reason", "field"),
    [
        (matching.AnnounceBiddingRequest(side=1, window_end_us=2**63 - 1), "VALUE_OUT_OF_RANGE",
         "window_end_us"),
        (matching.AnnounceBiddingRequest(side=1, window_start_us=1), "VALUE_OUT_OF_RANGE",
         "window_start_us"),
        (registry.GetHoldingsRequest(as_of_position=2**64 - 1), "VALUE_OUT_OF_RANGE",
         "as_of_position"),
        (matching.PlaceOrderRequest(side=1, quantity_tonnes=MAX_QUANTITY_TONNES + 1),
         "VALUE_OUT_OF_RANGE", "quantity_tonnes"),
        (matching.PlaceOrderRequest(side=1, price_fen=-1), "VALUE_OUT_OF_RANGE", "price_fen"),
        (matching.PlaceOrderRequest(side=99), "ENUM_VALUE_UNKNOWN", "side"),
        (matching.PlaceOrderRequest(side=1, order_type=-1), "ENUM_VALUE_UNKNOWN", "order_type"),
        (matching.PlaceOrderRequest(), "ENUM_VALUE_REQUIRED", "side"),
        (registry.OpenAccountRequest(kind=1, account_id="a" * 129), "FIELD_TOO_LONG",
         "account_id"),
        (registry.OpenAccountRequest(kind=1, name="n" * 1025), "FIELD_TOO_LONG", "name"),
        (registry.OpenAccountRequest(kind=1, request_id="r\x00"), "CONTROL_CHARACTER",
         "request_id"),
        (matching.AnnounceBiddingRequest(side=1, eligible_account_ids=["a", "\x7f"]),
         "CONTROL_CHARACTER", "eligible_account_ids[1]"),
        (matching.AnnounceBiddingRequest(side=1, eligible_account_ids=["a"] * 1_001),
         "TOO_MANY_ITEMS", "eligible_account_ids"),
    ],
)  # fmt: skip
def test_a_value_outside_its_bound_is_refused_naming_the_field(
    request_: Message, reason: str, field: str
) -> None:
    got, metadata = refusal(request_)
    assert (got, metadata["field"]) == (reason, field)


def test_what_the_services_and_the_demo_send_passes() -> None:
    accepted = [
        matching.PlaceOrderRequest(
            request_id="8c3e6f0e-5f0b-4a59-9d1b-0e6b1f7d3f2a", account_id="KEU-0001",
            instrument="CCER-1234-5678-01", side=1, quantity_tonnes=100_000, price_fen=6_000,
        ),
        matching.PlaceOrderRequest(side=2, order_type=2, time_in_force=3, trading_mode=2),
        matching.AnnounceBiddingRequest(side=1),  # no window: the service says what is missing
        registry.OpenAccountRequest(kind=1, name="大唐山西发电有限公司\n第二行\t(备注)"),
        registry.GetHoldingsRequest(as_of_position=INT64_MAX),
    ]  # fmt: skip
    for request in accepted:
        check_request(request)


def test_the_check_walks_nested_messages_lists_and_maps() -> None:
    nested = matching.PlaceOrderResponse(fills=[matching.Fill(), matching.Fill(price_fen=-5)])
    assert refusal(nested) == (
        "VALUE_OUT_OF_RANGE", {"field": "fills[1].price_fen", "min": "0", "max": "100000000"}
    )  # fmt: skip
    mapped = struct_pb2.Struct(fields={"k": struct_pb2.Value(string_value="v" * 200)})
    reason, metadata = refusal(mapped)
    assert (reason, metadata["field"]) == ("FIELD_TOO_LONG", "fields.value.string_value")
