"""Prices, amounts and quantities at the SDK's edge: exact fen and whole tonnes (R-U1, R-U2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqx_sdk import InvalidValueError, format_amount, format_price, parse_amount, parse_price
from cqx_sdk.money import parse_quantity


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("74.63", 7463),
        ("74.6", 7460),
        ("74", 7400),
        ("0.01", 1),
        (" 74.50 ", 7450),
        ("74.", 7400),
        ("1000000.00", 100_000_000),
    ],
)
def test_r_u2_a_price_in_cny_is_exact_fen(text: str, fen: int) -> None:
    assert parse_price(text) == fen


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("74.631", "more than 2 decimal places"),
        ("-74.63", "must be positive"),
        ("0", "must be positive"),
        ("0.00", "must be positive"),
        ("abc", "is not a number"),
        ("7e3", "is not a number"),
        (".5", "is not a number"),
        ("", "is not a number"),
        ("1,000.00", "is not a number"),
        ("99999999999999999999", "too large"),
    ],
)
def test_r_u2_a_malformed_price_is_refused_naming_the_problem(text: str, problem: str) -> None:
    with pytest.raises(InvalidValueError, match=problem):
        parse_price(text)


def test_a_float_price_is_refused_because_it_cannot_be_exact() -> None:
    with pytest.raises(InvalidValueError, match="as text"):
        parse_price(74.63)  # type: ignore[arg-type]


def test_an_amount_names_itself_in_its_errors() -> None:
    assert parse_amount("5000000.00") == 500_000_000
    with pytest.raises(InvalidValueError, match=r"amount '1\.001' .* one fen"):
        parse_amount("1.001")


@pytest.mark.parametrize(
    ("fen", "price", "amount"),
    [
        (7463, "74.63", "74.63"),
        (5, "0.05", "0.05"),
        (-5, "-0.05", "-0.05"),
        (0, "0.00", "0.00"),
        (500_000_000, "5000000.00", "5,000,000.00"),
    ],
)
def test_fen_are_shown_as_cny_with_two_decimals(fen: int, price: str, amount: str) -> None:
    assert (format_price(fen), format_amount(fen)) == (price, amount)


@given(st.integers(min_value=1, max_value=2**63 - 1))
def test_formatting_then_parsing_gives_the_same_fen(fen: int) -> None:
    assert parse_price(format_price(fen)) == fen
    assert parse_amount(format_price(fen)) == fen


@pytest.mark.parametrize("text", ["0", "-5", "1.5", "ten", "", "1e3"])
def test_r_u1_a_quantity_is_a_positive_whole_number_of_tonnes(text: str) -> None:
    with pytest.raises(InvalidValueError, match="quantity"):
        parse_quantity(text)
    assert parse_quantity("100") == parse_quantity(100) == 100
