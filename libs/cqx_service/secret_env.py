"""Secrets from the environment: a value, or the file a ``<NAME>_FILE`` variable names.

The ``_FILE`` form is the convention of the official images (``POSTGRES_PASSWORD_FILE``) and
of compose secrets (mounted under ``/run/secrets/``): the secret never sits in the compose
file or in the process's environment, only its path does.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from cqx_kernel.errors import InvalidArgumentError


def secret(env: Mapping[str, str], name: str) -> str | None:
    """The value of ``name``, or the text of the file ``<name>_FILE`` names (one trailing
    newline removed); None when neither is set. Both set, or a file that cannot be read or
    is empty, is an error that names the variable."""
    value = env.get(name, "")
    path = env.get(f"{name}_FILE", "").strip()
    if value and path:
        raise InvalidArgumentError(f"both {name} and {name}_FILE are set: give one")
    if not path:
        return value or None
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise InvalidArgumentError(f"{name}_FILE: cannot read {path}: {error.strerror}") from None
    text = text.removesuffix("\n").removesuffix("\r")
    if not text:
        raise InvalidArgumentError(f"{name}_FILE: {path} is empty")
    return text
