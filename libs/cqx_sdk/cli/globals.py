"""The global flags, declared once: where the services are, who acts, the operator's token
and the output mode. They are shown in ``cqx --help`` and accepted after a command too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from cqx_sdk.channels import SERVICES, Addresses
from cqx_sdk.cli.arguments import ADDRESS, UsageError

OUTPUT_MODES = ("table", "json", "wide")


def global_options(*, mutating: bool = False, hidden: bool = False) -> list[click.Parameter]:
    """The global flags (``hidden`` in a leaf's help: they are documented once, at the top);
    a command that changes something takes ``--request-id`` too."""
    options: list[click.Parameter] = [
        click.Option(
            ["-o", "--output"],
            type=click.Choice(OUTPUT_MODES),
            hidden=hidden,
            help="table (default): for people; json: one JSON document, errors too; "
            "wide: every field of the answer, in a table",
        ),
        click.Option(["--json"], is_flag=True, hidden=hidden, help="the same as -o json"),
    ]
    options += [
        click.Option(
            [f"--{service}"],
            type=ADDRESS,
            metavar="HOST:PORT",
            hidden=hidden,
            help=f"the {service} service (default: $CQX_{service.upper()}_ADDRESS, else localhost)",
        )
        for service in SERVICES
    ]
    options += [
        click.Option(
            ["--actor"],
            hidden=hidden,
            help="who acts, recorded with the events (default: $CQX_ACTOR)",
        ),
        click.Option(
            ["--token-file"],
            type=click.Path(dir_okay=False),
            hidden=hidden,
            help="a file holding the operator's token (default: $CQX_OPERATOR_TOKEN); "
            "a file, not the token itself, keeps it out of the shell history and `ps`",
        ),
    ]
    if mutating or not hidden:
        options.append(
            click.Option(
                ["--request-id"],
                hidden=hidden,
                help="on a command that changes something: the idempotency key (a retry "
                "with it never runs twice; default: a fresh one)",
            )
        )
    return options


@dataclass(frozen=True)
class Connection:
    """Where and as whom the command calls CQX."""

    addresses: Addresses
    actor: str | None
    operator_token: str


def output_mode(params: Mapping[str, Any]) -> str | None:
    """The mode one set of parameters asks for (``None``: it does not say)."""
    chosen: str | None = params.get("output")
    if params.get("json"):
        if chosen not in (None, "json"):
            raise UsageError("cqx", f"--json is -o json; it cannot go with -o {chosen}")
        return "json"
    return chosen


def mode_in(argv: Sequence[str]) -> str:
    """The output mode ``argv`` asks for, read before parsing (so that even a command line
    Click refuses is answered in JSON when it asked for JSON)."""
    mode = "table"
    for i, word in enumerate(argv):
        if word == "--":
            break
        if word == "--json":
            mode = "json"
        elif word in ("-o", "--output") and i + 1 < len(argv):
            mode = argv[i + 1]
        elif word.startswith(("--output=", "-o=")):
            mode = word.split("=", 1)[1]
        elif word.startswith("-o") and not word.startswith("--"):
            mode = word[2:]
    return mode if mode in OUTPUT_MODES else "table"


def connection(flags: Mapping[str, Any], env: Mapping[str, str]) -> Connection:
    """The addresses (flag, else ``CQX_<SERVICE>_ADDRESS``, else localhost), the actor
    (``--actor``, else ``CQX_ACTOR``) and the operator's token (``--token-file``, else
    ``CQX_OPERATOR_TOKEN``)."""
    addresses = Addresses.from_env(env).with_overrides({s: flags.get(s) for s in SERVICES})
    actor = flags.get("actor") or env.get("CQX_ACTOR") or None
    token_file = flags.get("token_file")
    token = env.get("CQX_OPERATOR_TOKEN", "")  # from the given environment only
    if token_file:
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            problem = f"cannot read the token file {token_file!r}: {error.strerror}"
            raise UsageError("cqx", problem) from None
    return Connection(addresses, actor, token)
