"""The exchange as a client sees it (waiting for matching_service.proto)."""

from __future__ import annotations

from cqx_sdk.channels import ServiceChannel


class MatchingClient:
    """The matching service's RPCs as what a trader does (``client.matching``)."""

    def __init__(self, channel: ServiceChannel) -> None:
        self._channel = channel
