"""``python -m cqx_identity``: the certificate authority's tool (see docs/identity.md).

python -m cqx_identity --pki DIR init
python -m cqx_identity --pki DIR issue member shanxi-030 [--participant P] [--days N]
python -m cqx_identity --pki DIR issue service registry [--host registry.example]
python -m cqx_identity --pki DIR revoke shanxi-030 --reason "left the market"
python -m cqx_identity --pki DIR list
python -m cqx_identity --pki DIR signing-key registry     (make or rotate)
python -m cqx_identity --pki DIR keys                     (every verifier key)
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from cqx_identity.authority import CertificateAuthority
from cqx_identity.principal import SERVICES, Role
from cqx_identity.signing import SigningKeys

ROLES = [r.value for r in Role]


@click.group()
@click.option(
    "--pki",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("CQX_PKI_DIR", ".run/pki"),
    show_default="$CQX_PKI_DIR, else .run/pki",
    help="the authority's directory",
)
@click.pass_context
def main(ctx: click.Context, pki: Path) -> None:
    """The CQX certificate authority: credentials for services, operators, auditors, members."""
    ctx.obj = pki


def _fail(error: Exception) -> None:
    raise click.ClickException(str(error)) from error


@main.command()
@click.pass_obj
def init(pki: Path) -> None:
    """Make a new authority in the directory."""
    try:
        CertificateAuthority(pki).create()
    except (FileExistsError, ValueError) as error:
        _fail(error)
    click.echo(f"authority made in {pki}")


@main.command()
@click.argument("role", type=click.Choice(ROLES))
@click.argument("name")
@click.option("--participant", help="the participant a member acts for (default: NAME)")
@click.option("--days", type=click.IntRange(1, 3650), help="lifetime in days")
@click.option("--host", "hosts", multiple=True, help="a host a service is reached at")
@click.pass_obj
def issue(
    pki: Path,
    role: str,
    name: str,
    participant: str | None,
    days: int | None,
    hosts: tuple[str, ...],
) -> None:
    """Issue a credential (again: rotate it) into NAME.crt and NAME.key."""
    try:
        principal = CertificateAuthority(pki).issue(
            Role(role), name, participant=participant, days=days, hosts=hosts
        )
    except (FileNotFoundError, ValueError) as error:
        _fail(error)
    click.echo(
        f"{principal.id}: {pki / (name + '.crt')} and {name}.key (serial {principal.serial:x})"
    )


@main.command()
@click.argument("name")
@click.option("--reason", default="", help="why, for the index")
@click.pass_obj
def revoke(pki: Path, name: str, reason: str) -> None:
    """Revoke every certificate of NAME; every service refuses it from its next call."""
    try:
        revoked = CertificateAuthority(pki).revoke(name, reason)
    except (FileNotFoundError, LookupError) as error:
        _fail(error)
    for entry in revoked:
        click.echo(f"revoked {entry.principal} (serial {entry.serial})")


@main.command(name="list")
@click.pass_obj
def list_(pki: Path) -> None:
    """Every certificate issued: serial, principal, participant, expiry, revocation."""
    for e in CertificateAuthority(pki).index():
        state = f"revoked {e.revoked_at}" if e.revoked_at else "valid"
        click.echo(f"{e.serial}\t{e.principal}\t{e.participant or '-'}\t{e.not_after}\t{state}")


@main.command(name="signing-key")
@click.argument("service")
@click.pass_obj
def signing_key(pki: Path, service: str) -> None:
    """Make (or rotate) a service's Ed25519 signing key; print its verifier key."""
    try:
        click.echo(SigningKeys(pki).make(service).verifier)
    except ValueError as error:
        _fail(error)


@main.command()
@click.pass_obj
def keys(pki: Path) -> None:
    """Every verifier key made (signed-note format), current and retired."""
    for line in SigningKeys(pki).published():
        click.echo(line)


@main.command(name="compose-layout")
@click.argument("secrets", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def compose_layout(pki: Path, secrets: Path) -> None:
    """Copy each service's credential, the authority's certificate and the revocation list to
    SECRETS/pki/<service>/ (what deploy/compose.yaml mounts; the CA's key stays here). The
    copies are readable by the containers' user (nobody), as the password files are: keep
    SECRETS itself private (new-secrets.sh makes it 0700)."""
    for service in SERVICES:
        missing = [
            n for n in ("ca.crt", f"{service}.crt", f"{service}.key") if not (pki / n).exists()
        ]
        if missing:
            _fail(FileNotFoundError(f"{pki} lacks {', '.join(missing)}: issue service {service}"))
        target = secrets / "pki" / service
        target.mkdir(parents=True, exist_ok=True)
        target.chmod(0o755)
        for name in ("ca.crt", "revoked.crl", f"{service}.crt", f"{service}.key"):
            temporary = target / f".{name}.new"
            shutil.copyfile(pki / name, temporary)
            temporary.chmod(0o444)
            temporary.replace(target / name)  # a service reads the old file or the new, whole
        click.echo(f"{target}: ca.crt, revoked.crl, {service}.crt, {service}.key")


if __name__ == "__main__":
    sys.exit(main())
