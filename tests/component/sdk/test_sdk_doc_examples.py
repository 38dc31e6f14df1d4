"""The examples of ``docs/sdk.md``, run against the four real services so that they cannot rot.

Every ```python block of the page runs, in order. A block that calls ``asyncio.run`` is a
complete script: it runs as its own process, as a user would run it, as the auditor
(``CQX_AS=auditor``, as the page says). The others are one session with top-level ``await``
(as in ``python -m asyncio``), sharing their names. The examples find the services through
``CQX_<SERVICE>_ADDRESS``, which the test points at the services it started, and their
credentials by name in ``CQX_PKI_DIR``, the tests' authority, where the test issues the
members the page asks for; "today" is the exchange's trading date.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from types import CodeType

import pytest

from cqx_bus import KafkaAccess
from cqx_sdk import CqxClient
from tests.component.sdk.support import WednesdayClock, four_services, operator_client
from tests.support import pki

DOC = Path(__file__).resolve().parents[3] / "docs" / "sdk.md"
FENCE = re.compile(r"^```python\n(?P<code>.*?)^```$", re.MULTILINE | re.DOTALL)
BLOCK_SECONDS = 30
# The members the page has its reader issue (``python -m cqx_identity ... issue member``).
MEMBERS = ("doc-power", "doc-fund")


@dataclass(frozen=True)
class Example:
    """One ```python block: its first line in the page, and its code."""

    line: int
    code: str

    @property
    def is_script(self) -> bool:
        """Whether the block is a whole program (it starts its own event loop)."""
        return "asyncio.run(" in self.code

    def compiled(self) -> CodeType:
        """The block compiled for top-level ``await``, its line numbers the page's."""
        padded = "\n" * (self.line - 1) + self.code
        code: CodeType = compile(padded, str(DOC), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        return code


def examples() -> list[Example]:
    """The page's ```python blocks, in order."""
    text = DOC.read_text(encoding="utf-8")
    return [
        Example(text.count("\n", 0, found.start("code")) + 1, found["code"])
        for found in FENCE.finditer(text)
    ]


async def run_in_session(example: Example, names: dict[str, object]) -> None:
    """Run a session block in ``names``, awaiting it if it awaits."""
    code = example.compiled()
    outcome = eval(code, names)  # the page's own examples, by design
    if code.co_flags & inspect.CO_COROUTINE:
        await asyncio.wait_for(outcome, BLOCK_SECONDS)


async def run_script(example: Example, environ: dict[str, str]) -> None:
    """Run a script block as its own Python process with ``environ``."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        example.code,
        env={**os.environ, **environ},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), BLOCK_SECONDS)
    assert process.returncode == 0, f"docs/sdk.md line {example.line}:\n{output.decode()}"


def test_the_page_has_its_examples() -> None:
    found = examples()
    assert sum(e.is_script for e in found) == 1
    assert len(found) >= 6, "the examples of docs/sdk.md were not found"


async def test_the_sdk_doc_examples_run_against_the_real_services(
    database_url: str, kafka_admin: KafkaAccess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Today" as the exchange's clock has it, for open_trading_day's default date.
    monkeypatch.setattr("cqx_sdk.matching.today_in_shanghai", lambda: WednesdayClock.TRADING_DATE)
    namespace = f"t_{secrets.token_hex(4)}"
    for member in MEMBERS:
        pki.member(member)
    pki.auditor()
    async with four_services(database_url, kafka_admin, namespace) as services:
        environ = services.environ()  # the addresses, and CQX_PKI_DIR
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("CQX_AS")  # the session's examples name their credentials
        names: dict[str, object] = {"__name__": "sdk_doc_examples"}
        try:
            for example in examples():
                if example.is_script:
                    await run_script(example, {**environ, "CQX_AS": pki.AUDITOR})
                else:
                    await run_in_session(example, names)
        finally:
            for opened in names.values():
                if isinstance(opened, CqxClient):
                    await opened.close()  # idempotent: the last example closes them too
        # What the examples did is there for anyone to see, not only in their own session.
        async with operator_client(services.addresses) as observer:
            trades = [t async for t in observer.matching.list_trades("CEA-2025")]
            fund = await observer.settlement.cash_balance("doc-fund")
            accounts = [a.account_id async for a in observer.registry.list_accounts()]
    assert [(t.seller_account_id, t.buyer_account_id, t.quantity_tonnes) for t in trades] == [
        ("doc-plant", "doc-fund", 5_000)
    ]
    assert set(accounts) >= {"doc-plant", "doc-fund"}
    # 5,000,000.00 and one retried 1,000.00, less 5,000 t at 75.00 and its fee.
    paid = trades[0].price_fen * trades[0].quantity_tonnes + trades[0].buyer_fee_fen
    assert fund.balance_fen == 500_000_000 + 100_000 - paid
