"""The two administrator's requests aiokafka's admin client does not offer: set a user's SCRAM
credential (``AlterUserScramCredentials``, KIP-554) and create ACL bindings (``CreateAcls``).

Both go through aiokafka's own protocol layer, so they travel on the same authenticated
connection as every other request of an :class:`~aiokafka.admin.AIOKafkaAdminClient`. A SCRAM
credential is sent as the broker stores it (salt and salted password, RFC 5802), never the
password itself.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    CompactArray,
    CompactBytes,
    CompactString,
    Int8,
    Int16,
    Int32,
    Schema,
    TaggedFields,
)

from cqx_bus.access import KafkaCredentials

SCRAM_SHA_512 = 2  # the mechanism's id in AlterUserScramCredentials
SCRAM_ITERATIONS = 8192  # the broker accepts 4096 to 16384


class Resource(enum.IntEnum):
    """ACL resource types (the protocol's numbers)."""

    TOPIC = 2
    GROUP = 3


class Pattern(enum.IntEnum):
    """ACL resource pattern types."""

    LITERAL = 3
    PREFIXED = 4


class Operation(enum.IntEnum):
    """ACL operations."""

    READ = 3
    WRITE = 4
    DESCRIBE = 8


ALLOW = 3


@dataclass(frozen=True)
class AclBinding:
    """One ALLOW rule: ``principal`` may ``operation`` on the resource, from any host."""

    principal: str
    operation: Operation
    resource: Resource
    name: str
    pattern: Pattern = Pattern.LITERAL


class _AlterScramResponse(Response):  # type: ignore[misc]
    API_KEY = 51
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "results",
            CompactArray(
                ("user", CompactString("utf-8")),
                ("error_code", Int16),
                ("error_message", CompactString("utf-8")),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class _AlterScramStruct(RequestStruct):  # type: ignore[misc]
    FLEXIBLE_VERSION = True
    API_KEY = 51
    API_VERSION = 0
    RESPONSE_TYPE = _AlterScramResponse
    SCHEMA = Schema(
        (
            "deletions",
            CompactArray(
                ("name", CompactString("utf-8")), ("mechanism", Int8), ("tags", TaggedFields)
            ),
        ),
        (
            "upsertions",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("mechanism", Int8),
                ("iterations", Int32),
                ("salt", CompactBytes),
                ("salted_password", CompactBytes),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


_AlterScramStructs: TypeAlias = _AlterScramStruct


class _AlterScramRequest(Request[_AlterScramStructs]):  # type: ignore[misc]
    API_KEY = 51

    def __init__(self, upsertions: list[tuple[Any, ...]]) -> None:
        self._upsertions = upsertions

    def build(self, request_struct_class: type[_AlterScramStructs]) -> _AlterScramStructs:
        return request_struct_class([], self._upsertions, {})


def salted_password(password: str, salt: bytes, iterations: int = SCRAM_ITERATIONS) -> bytes:
    """SCRAM's ``Hi(password, salt, i)``: PBKDF2 with HMAC-SHA-512."""
    return hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)


async def upsert_scram_user(admin: AIOKafkaAdminClient, user: KafkaCredentials) -> None:
    """Create ``user``'s SCRAM-SHA-512 credential, or replace its password (a fresh salt)."""
    salt = secrets.token_bytes(32)
    upsertion: tuple[Any, ...] = (
        user.username, SCRAM_SHA_512, SCRAM_ITERATIONS, salt, salted_password(user.password, salt),
        {},
    )  # fmt: skip
    response = await admin._send_request(_AlterScramRequest([upsertion]))
    for _, code, message, _ in response.results:
        if code:
            raise for_code(code)(f"SCRAM credential of {user.username!r}: {message}")


async def create_acls(admin: AIOKafkaAdminClient, bindings: Sequence[AclBinding]) -> None:
    """Add ALLOW bindings (one that exists already is left as it is)."""
    for binding in bindings:
        request = CreateAclsRequest(
            resource_type=binding.resource, resource_name=binding.name,
            resource_pattern_type_filter=binding.pattern, principal=binding.principal,
            host="*", operation=binding.operation, permission_type=ALLOW,
        )  # fmt: skip
        response = await admin._send_request(request)
        for code, message in response.creation_responses:
            if code:
                raise for_code(code)(f"ACL {binding}: {message}")
