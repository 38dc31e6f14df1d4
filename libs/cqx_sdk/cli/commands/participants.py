"""``cqx participants``: the registry's participants (members), their status and accounts."""

from __future__ import annotations

import click

from cqx_sdk.cli import arguments, invocation
from cqx_sdk.cli.invocation import Invocation, leaf
from cqx_sdk.cli.render import details, table
from cqx_sdk.registry_views import Participant, ParticipantKind

KINDS = [k.value for k in ParticipantKind if k is not ParticipantKind.UNSPECIFIED]


def _participants_table(participants: list[Participant]) -> str:
    rows = [
        (p.participant_id, p.kind.value, p.status.value, p.trading_account_id or "-", p.name)
        for p in participants
    ]
    headers = ("PARTICIPANT", "KIND", "STATUS", "TRADING ACCOUNT", "NAME")
    return table(headers, rows, empty="(no participants)")


def _details(p: Participant) -> str:
    pairs: list[tuple[str, object]] = [
        ("participant", p.participant_id),
        ("kind", p.kind.value),
        ("name", p.name),
        ("status", p.status.value),
    ]
    if p.restricted:
        pairs.append(("restriction", p.restriction_reason))
    pairs += [
        ("trading account", p.trading_account_id or "-"),
        ("accounts", ", ".join(p.account_ids) or "-"),
    ]
    return details(pairs)


async def list_participants(run: Invocation) -> int:
    """``cqx participants list``."""
    found = [p async for p in run.client.registry.list_participants()]
    run.out.emit(found, _participants_table(found))
    return 0


async def show_participant(run: Invocation) -> int:
    """``cqx participants show ID``."""
    found = await run.client.registry.get_participant(run.args.participant_id)
    run.out.emit(found, _details(found))
    return 0


async def register_participant(run: Invocation) -> int:
    """``cqx participants register ID --kind K --name N``."""
    a = run.args
    found = await run.client.registry.register_participant(
        a.participant_id, ParticipantKind(a.kind), a.name, request_id=run.request_id
    )
    run.out.emit(found, f"registered {found.kind.value} {found.participant_id} ({found.name})")
    return 0


async def restrict_participant(run: Invocation) -> int:
    """``cqx participants restrict ID --reason R``."""
    a = run.args
    found = await run.client.registry.restrict_participant(
        a.participant_id, a.reason, request_id=run.request_id
    )
    accounts = ", ".join(found.account_ids) or "none"
    run.out.emit(
        found,
        f"restricted {found.participant_id}: no transfers, no orders (accounts: {accounts}); "
        "the exchange cancels its resting orders",
    )
    return 0


async def reinstate_participant(run: Invocation) -> int:
    """``cqx participants reinstate ID``."""
    found = await run.client.registry.reinstate_participant(
        run.args.participant_id, request_id=run.request_id
    )
    run.out.emit(found, f"reinstated {found.participant_id}: it may transfer and trade again")
    return 0


def register(root: click.Group) -> None:
    """Add ``participants``."""
    group = invocation.group(
        root, "participants", "registry participants: list, show, register, restrict, reinstate"
    )

    def participant_id() -> click.Argument:
        return click.Argument(["participant_id"], metavar="ID", type=arguments.IDENTIFIER)

    leaf(group, "list", list_participants, help="every participant")
    leaf(group, "show", show_participant, [participant_id()], help="one participant")
    registered = [
        participant_id(),
        click.Option(["--kind"], required=True, type=click.Choice(KINDS)),
        click.Option(["--name"], required=True),
    ]
    leaf(
        group,
        "register",
        register_participant,
        registered,
        mutating=True,
        help="operator: register a participant (a member, or a staff body that may not trade)",
    )
    restricted = [participant_id(), click.Option(["--reason"], required=True)]
    leaf(
        group,
        "restrict",
        restrict_participant,
        restricted,
        mutating=True,
        help="operator: no transfers, no orders until reinstated (R-A5)",
    )
    leaf(
        group,
        "reinstate",
        reinstate_participant,
        [participant_id()],
        mutating=True,
        help="operator: lift a restriction",
    )
