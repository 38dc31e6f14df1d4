"""The demo's callers: the operator, and each covered unit as the member it is.

Every call of the demo is made as someone, with the credential the local authority issued
(``.run/pki``, made by ``make run``): the operator opens accounts, allocates, deposits and opens
the day; each unit moves its own allowances and places its own orders, as a member may.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from cqx_identity import LOCAL_OPERATORS, TlsFiles, provision_local
from cqx_sdk import Addresses, CqxClient
from cqx_sdk.profiles import DEFAULT_PKI_DIR


class DemoClients:
    """A client as the local operator, and one per member on demand (its credential issued by
    the local authority if it has none yet)."""

    def __init__(
        self, addresses: Addresses, pki_dir: Path = DEFAULT_PKI_DIR, members: Iterable[str] = ()
    ) -> None:
        provision_local(pki_dir, members)
        self.addresses = addresses
        self.pki_dir = pki_dir
        self.operator = CqxClient(addresses, TlsFiles.in_directory(pki_dir, LOCAL_OPERATORS[0]))
        self._members: dict[str, CqxClient] = {}

    def member(self, participant: str) -> CqxClient:
        """A client as ``participant``'s member (whose one account has the same id here)."""
        if participant not in self._members:
            files = TlsFiles.in_directory(self.pki_dir, participant)
            if files.missing():  # the local authority issues it now
                provision_local(self.pki_dir, [participant])
            self._members[participant] = CqxClient(self.addresses, files)
        return self._members[participant]

    async def close(self) -> None:
        """Close every client."""
        for client in (self.operator, *self._members.values()):
            await client.close()

    async def __aenter__(self) -> DemoClients:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
