"""Whose credentials a client uses: a profile, chosen as ``kubectl`` chooses a context.

In order, the first that is given wins:

1. files named outright: ``CQX_CERT``, ``CQX_KEY`` and ``CQX_CA`` (all three);
2. a name (``--as NAME`` on the command line, ``CqxClient(credentials="NAME")`` in the SDK,
   else ``$CQX_AS``, else the config file's ``current``), looked up
   - in the config file (``$CQX_CONFIG``, default ``~/.config/cqx/config.toml``), whose
     ``[profiles.NAME]`` table names ``ca``, ``cert`` and ``key`` (relative to the file);
   - else in the authority's directory (``$CQX_PKI_DIR``, default ``.run/pki`` as
     ``make run`` makes it): ``NAME.crt``, ``NAME.key`` and ``ca.crt``.

A config file::

    current = "shanxi-030"

    [profiles.shanxi-030]
    ca = "pki/ca.crt"
    cert = "pki/shanxi-030.crt"
    key = "pki/shanxi-030.key"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from cqx_identity.tls import TlsFiles
from cqx_sdk.errors import CqxClientError

DEFAULT_PKI_DIR = Path(".run/pki")


class ProfileError(CqxClientError, ValueError):
    """No usable credentials: what was looked for, and how to give them."""


def config_path(environ: Mapping[str, str]) -> Path:
    """The config file: ``$CQX_CONFIG``, else ``~/.config/cqx/config.toml``."""
    given = environ.get("CQX_CONFIG", "").strip()
    return Path(given) if given else Path.home() / ".config" / "cqx" / "config.toml"


def _config(environ: Mapping[str, str]) -> tuple[Path, dict[str, object]]:
    path = config_path(environ)
    if not path.is_file():
        return path, {}
    try:
        return path, tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ProfileError(f"{path} is not a readable TOML file: {error}") from None


def resolve(name: str | None = None, environ: Mapping[str, str] | None = None) -> TlsFiles:
    """The credentials to call with (see the module docstring); ProfileError if none."""
    env = os.environ if environ is None else environ
    named = [env.get(k, "").strip() for k in ("CQX_CA", "CQX_CERT", "CQX_KEY")]
    if name is None and all(named):
        return _checked(TlsFiles(Path(named[0]), Path(named[1]), Path(named[2])), "CQX_CERT")
    path, config = _config(env)
    chosen = name or env.get("CQX_AS", "").strip() or str(config.get("current", "") or "")
    if not chosen:
        raise ProfileError(
            "who is calling? choose a credential: --as NAME (or $CQX_AS), a config file's "
            f"current profile ({path}), or CQX_CERT/CQX_KEY/CQX_CA"
        )
    profiles = config.get("profiles", {})
    profile = profiles.get(chosen) if isinstance(profiles, dict) else None
    if isinstance(profile, dict):
        try:
            files = TlsFiles(*(path.parent / str(profile[k]) for k in ("ca", "cert", "key")))
        except KeyError as missing:
            raise ProfileError(f"profile {chosen} in {path} has no {missing}") from None
        return _checked(files, f"profile {chosen} in {path}")
    pki = Path(env.get("CQX_PKI_DIR", "").strip() or DEFAULT_PKI_DIR)
    return _checked(TlsFiles.in_directory(pki, chosen), f"{chosen} in {pki}")


def _checked(files: TlsFiles, where: str) -> TlsFiles:
    missing = files.missing()
    if missing:
        raise ProfileError(
            f"no credential for {where}: missing {', '.join(str(p) for p in missing)}"
        )
    return files
