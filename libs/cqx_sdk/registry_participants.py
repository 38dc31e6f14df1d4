"""The registry's participant calls (part of ``client.registry``): register, show, list,
restrict and reinstate participants (members)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from cqx.registry.v1 import registry_service_pb2 as api
from cqx.registry.v1 import registry_service_pb2_grpc as api_grpc

from cqx_sdk.channels import ServiceChannel
from cqx_sdk.paging import DEFAULT_PAGE_SIZE
from cqx_sdk.registry_views import Participant, ParticipantKind


class ParticipantCalls:
    """Participants: each account belongs to one; a restricted one neither transfers nor
    trades (R-A5)."""

    _channel: ServiceChannel
    _stub: api_grpc.RegistryServiceStub

    async def register_participant(
        self,
        participant_id: str,
        kind: ParticipantKind,
        name: str,
        *,
        request_id: str | None = None,
    ) -> Participant:
        """Register a participant under an id the caller chooses."""
        reply: api.RegisterParticipantResponse = await self._channel.mutate(
            self._stub.RegisterParticipant,
            api.RegisterParticipantRequest,
            request_id,
            participant_id=participant_id,
            kind=kind.to_proto(),
            name=name,
        )
        return Participant.from_proto(reply.participant)

    async def get_participant(self, participant_id: str) -> Participant:
        """One participant (``CqxApiError`` NOT_FOUND ``PARTICIPANT_NOT_FOUND`` if none)."""
        request = api.GetParticipantRequest(participant_id=participant_id)
        reply: api.GetParticipantResponse = await self._channel.call(
            self._stub.GetParticipant, request
        )
        return Participant.from_proto(reply.participant)

    def list_participants(
        self, *, page_size: int = DEFAULT_PAGE_SIZE
    ) -> AsyncIterator[Participant]:
        """Every participant, in id order (pages are fetched as you iterate)."""
        return self._channel.paged(
            self._stub.ListParticipants,
            api.ListParticipantsRequest,
            "participants",
            Participant.from_proto,
            page_size=page_size,
        )

    async def restrict_participant(
        self, participant_id: str, reason: str, *, request_id: str | None = None
    ) -> Participant:
        """Restrict a participant: no transfers, no orders (the exchange cancels its resting
        ones), holdings untouched (R-A5)."""
        reply: api.RestrictParticipantResponse = await self._channel.mutate(
            self._stub.RestrictParticipant,
            api.RestrictParticipantRequest,
            request_id,
            participant_id=participant_id,
            reason=reason,
        )
        return Participant.from_proto(reply.participant)

    async def reinstate_participant(
        self, participant_id: str, *, request_id: str | None = None
    ) -> Participant:
        """Lift a participant's restriction."""
        reply: api.ReinstateParticipantResponse = await self._channel.mutate(
            self._stub.ReinstateParticipant,
            api.ReinstateParticipantRequest,
            request_id,
            participant_id=participant_id,
        )
        return Participant.from_proto(reply.participant)
