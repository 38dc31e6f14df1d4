"""Instrument codes (R-U3): CEA vintages and CCER blocks; anything else is unknown."""

from __future__ import annotations

import pytest

from cqx_kernel.errors import InvalidArgumentError
from cqx_registry.domain.instruments import cea_vintage, check_instrument, is_instrument


@pytest.mark.parametrize(
    "code", ["CEA-2019-2020", "CEA-2021", "CEA-2099", "CCER-P123-B7", "CCER-14001-2024-0001"]
)
def test_known_codes_are_instruments(code: str) -> None:
    assert is_instrument(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "CEA-2020",
        "CEA-2019",
        "CEA-2100",
        "CEA-24",
        "cea-2024",
        "CCER",
        "CCER-P1",
        "EUA-2024",
        "CEA-2019-2021",
        "CCER--B1",
        "CEA-2024 ",
    ],
)
def test_other_codes_are_unknown(code: str) -> None:
    assert not is_instrument(code)
    with pytest.raises(InvalidArgumentError) as caught:
        check_instrument(code)
    assert caught.value.reason == "INSTRUMENT_UNKNOWN"


def test_the_combined_first_vintage_counts_as_2020() -> None:
    assert cea_vintage("CEA-2019-2020") == 2020
    assert cea_vintage("CEA-2023") == 2023
    assert cea_vintage("CCER-P1-B1") is None
