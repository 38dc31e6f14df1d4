"""The global flags, declared once: where the services are, whose credentials call them
(``--as``) and the output mode. They are shown in ``cqx --help`` and accepted after a
command too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click

from cqx_identity.tls import TlsFiles
from cqx_sdk.channels import SERVICES, Addresses
from cqx_sdk.cli.arguments import ADDRESS, UsageError
from cqx_sdk.profiles import ProfileError, resolve

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
            ["--as", "as_"],
            metavar="NAME",
            hidden=hidden,
            help="whose credential to call with: a profile of the config file, else NAME.crt "
            "in $CQX_PKI_DIR (default .run/pki); default: $CQX_AS, else the config's current",
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
    as_name: str | None
    environ: Mapping[str, str]

    def credentials(self) -> TlsFiles:
        """The chosen credential's files; a usage error if there are none."""
        try:
            return resolve(self.as_name, self.environ)
        except ProfileError as error:
            raise UsageError("cqx", str(error)) from None


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
    """The addresses (flag, else ``CQX_<SERVICE>_ADDRESS``, else localhost) and the
    credentials (``--as``, else the environment's choice: :mod:`cqx_sdk.profiles`)."""
    addresses = Addresses.from_env(env).with_overrides({s: flags.get(s) for s in SERVICES})
    return Connection(addresses, flags.get("as_") or None, env)
