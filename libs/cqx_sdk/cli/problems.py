"""A command that failed, as the user reads it: one line naming the problem, or (under
``-o json``) one JSON document with the status, the reason, the message, the metadata and a
hint. Either goes to stderr: stdout carries answers only."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import click

from cqx_sdk.cli.arguments import UsageError
from cqx_sdk.errors import CqxApiError, InvalidValueError, ServiceUnavailableError

# What to try next, by reason first, else by status code.
_HINTS_BY_REASON = {
    "INSUFFICIENT_FUNDS": "`cqx risk ACCOUNT` shows the cash free at the exchange; "
    "`cqx deposit` adds some",
    "INSUFFICIENT_ALLOWANCES": "`cqx risk ACCOUNT` shows the tonnes free at the exchange; "
    "`cqx move to-trading` brings more",
    "DAY_NOT_OPEN": "an operator opens the day with `cqx day open INSTRUMENT`; "
    "`cqx day show INSTRUMENT` shows its state",
    "PRICE_OUTSIDE_BAND": "`cqx day show INSTRUMENT` shows today's price bands",
    "DAY_ALREADY_CLOSED": "a closed day never reopens: the next trading day opens on its own "
    "date (`cqx day show INSTRUMENT` shows the closed day); for a fresh local market, stop "
    "`make run` and run `.venv/bin/python -m cqx_infra down --purge`",
    "ROLE_NOT_ALLOWED": "your credential's role may not do this: choose another with --as",
    "NOT_YOUR_ACCOUNT": "a member acts on its own accounts only: check the account, or --as",
    "NOT_YOURS": "a member sees and acts on its own only: check the id, or --as",
    "OWN_ACCOUNT_REQUIRED": "name one of your own accounts (--account)",
    "CREDENTIAL_REVOKED": "this credential is revoked: ask the operator for a new one",
    "CERTIFICATE_REQUIRED": "call with a credential: --as NAME (see docs/identity.md)",
    "APPROVAL_REQUIRED": "four eyes: another operator approves it with `cqx --as OTHER approvals "
    "approve ID --service SERVICE` (ID is the approval_id below)",
    "SAME_OPERATOR": "four eyes: a second, different operator approves it",
    "REQUEST_ID_REUSED": "that --request-id answered a different request: give a new one, or "
    "leave it out and one is made",
    "ACCOUNT_NOT_FOUND": "check the id: `cqx accounts list` shows the accounts; the exchange "
    "knows one once cash is deposited or allowances are moved to trading for it",
    "QUANTITY_TOO_LARGE": "the metadata gives the largest order the book takes; larger "
    "quantities trade as a block deal: `cqx block propose`",
    "POSITION_AFTER_HEAD": "`cqx holdings ACCOUNT` shows the log's head position; ask --as-of "
    "one at or before it",
    "PARTICIPANT_NOT_FOUND": "register it first (`cqx participants register ID --kind K --name "
    "N`); `cqx participants list` shows who exists",
    "PARTICIPANT_RESTRICTED": "`cqx participants show ID` says why; an operator lifts it with "
    "`cqx participants reinstate ID` (R-A5)",
    "TRADING_ACCOUNT_EXISTS": "a participant has one trading account (R-A1): the metadata names it",
    "STAFF_MAY_NOT_TRADE": "staff bodies (regulator, registry, exchange, verifier) may not "
    "trade (R-A2)",
}
_HINTS_BY_CODE = {
    "INVALID_ARGUMENT": "a value was refused by the service: the metadata names it",
    "NOT_FOUND": "check the id; `cqx accounts list`, `cqx orders ACCOUNT` and "
    "`cqx trades INSTRUMENT` show what exists",
    "ALREADY_EXISTS": "it exists already: `show` it, or retry with the same --request-id to "
    "get the first answer",
    "FAILED_PRECONDITION": "a market rule refuses this now: the reason names the rule",
    "PERMISSION_DENIED": "your credential may not do this: choose another with --as",
    "UNAUTHENTICATED": "call with a valid credential: --as NAME (see docs/identity.md)",
    "RESOURCE_EXHAUSTED": "the service is busy: retry later with the same --request-id",
    "ABORTED": "retry with the same --request-id: it never runs twice",
    "INTERNAL": "a fault in CQX: give the operator the correlation id in the message",
}


@dataclass(frozen=True)
class Problem:
    """Why a command failed: ``code`` (a gRPC status name, or ``USAGE``), ``reason`` (the
    ``google.rpc.ErrorInfo`` reason, or the CLI's own), what to try next, the exit code."""

    code: str
    reason: str
    message: str
    hint: str
    exit_code: int
    metadata: dict[str, str] = field(default_factory=dict)
    line: str = ""

    def show(self, mode: str) -> None:
        """Print on stderr: the JSON document under ``-o json``, else the one line."""
        if mode == "json":
            keys = ("code", "reason", "message", "metadata", "hint", "exit_code")
            document = {k: getattr(self, k) for k in keys}
            print(json.dumps({"error": document}, indent=2, ensure_ascii=False), file=sys.stderr)
        else:
            print(self.line, file=sys.stderr)
        sys.stderr.flush()


def refused(error: CqxApiError, exit_code: int) -> Problem:
    """A call CQX refused, or a service it could not reach."""
    if isinstance(error, ServiceUnavailableError):
        env = f"CQX_{error.service.upper()}_ADDRESS"
        return Problem(
            error.code,
            "SERVICE_UNREACHABLE" if error.code == "UNAVAILABLE" else "SERVICE_TOO_SLOW",
            " ".join(error.message.split()),
            f"is CQX running? start it with `make run`, or point at it with --{error.service} "
            f"or {env}",
            exit_code,
            {"service": error.service, "address": error.address},
            error.one_line(),
        )
    hint = _HINTS_BY_REASON.get(error.reason) or _HINTS_BY_CODE.get(error.code, "")
    return Problem(
        error.code,
        error.reason or error.code,
        " ".join(error.message.split()),
        hint,
        exit_code,
        dict(error.metadata),
        error.one_line(),
    )


def bad_value(error: InvalidValueError, exit_code: int) -> Problem:
    """A value the SDK refused before sending it."""
    hint = "nothing was sent: correct the value and run the command again"
    return Problem("USAGE", "INVALID_VALUE", str(error), hint, exit_code, {}, f"error: {error}")


def usage(error: click.ClickException, exit_code: int) -> Problem:
    """A command line Click (or a command, before calling) refused."""
    if isinstance(error, UsageError):
        hint = f"see '{error.prog} --help'"
        return Problem("USAGE", "BAD_USAGE", error.message, hint, exit_code, {}, str(error))
    ctx = getattr(error, "ctx", None)
    prog = ctx.command_path if ctx is not None else "cqx"
    message = error.format_message()
    reason = "BAD_USAGE"
    metadata = {"command": prog}
    hint = f"see '{prog} --help'"
    if isinstance(error, click.NoSuchOption | click.exceptions.NoSuchCommand):
        is_option = isinstance(error, click.NoSuchOption)
        reason = "NO_SUCH_OPTION" if is_option else "NO_SUCH_COMMAND"
        name = error.option_name if isinstance(error, click.NoSuchOption) else error.command_name
        message = f"no such {'option' if is_option else 'command'} {name!r}"
        closest = _closest(name, error.possibilities or [])
        if closest:
            metadata["did_you_mean"] = ", ".join(closest)
            message += f"; did you mean {_either(closest)}?"
    elif isinstance(error, click.MissingParameter):
        reason = "MISSING_ARGUMENT"
    elif isinstance(error, click.BadParameter):
        reason = "INVALID_VALUE"
    if message == "Missing command." and ctx is not None and isinstance(ctx.command, click.Group):
        reason = "MISSING_COMMAND"
        message = f"missing command: one of {', '.join(ctx.command.list_commands(ctx))}"
    message = message.rstrip(".")
    line = f"{prog}: error: {message}{' ' if message.endswith('?') else '; '}{hint}"
    return Problem("USAGE", reason, message, hint, exit_code, metadata, line)


def _closest(typed: str, candidates: list[str]) -> list[str]:
    """Click's close matches, less those clearly further than the best (``--instrumnt`` is
    ``--instrument``, not ``--settlement`` too)."""
    ratio = {c: SequenceMatcher(None, typed, c).ratio() for c in candidates}
    best = max(ratio.values(), default=0.0)
    return sorted(c for c, r in ratio.items() if r >= best - 0.1)


def _either(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
