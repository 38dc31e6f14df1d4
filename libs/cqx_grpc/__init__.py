"""The gRPC edge shared by every CQX server: bootstrap, error mapping and call metadata.

The health probe is a separate entry point, ``python -m cqx_grpc.probe`` (not imported here,
so running it as a module does not import it twice).
"""

from cqx_grpc.access import Authorizer, Gate
from cqx_grpc.bounds import EDGE_REASONS, FIELD_RULES, rule_for
from cqx_grpc.context import (
    CAUSATION_ID_KEY,
    CORRELATION_ID_KEY,
    REQUEST_ID_KEY,
    CallMetadata,
    bind_call,
    call_metadata,
    current_call,
)
from cqx_grpc.errors import (
    ERROR_DOMAIN,
    MAX_ECHO_LENGTH,
    ApiEdgeInterceptor,
    capped,
    error_info,
    rich_status,
    status_code_for,
    to_rpc_status,
    upper_snake,
)
from cqx_grpc.request_check import check_request
from cqx_grpc.server import (
    HEALTH_SERVICE_NAME,
    OVERALL_HEALTH,
    REFLECTION_SERVICE_NAME,
    GrpcServer,
    ServicerRegistration,
)

__all__ = [
    "CAUSATION_ID_KEY",
    "CORRELATION_ID_KEY",
    "EDGE_REASONS",
    "ERROR_DOMAIN",
    "FIELD_RULES",
    "HEALTH_SERVICE_NAME",
    "MAX_ECHO_LENGTH",
    "OVERALL_HEALTH",
    "REFLECTION_SERVICE_NAME",
    "REQUEST_ID_KEY",
    "ApiEdgeInterceptor",
    "Authorizer",
    "CallMetadata",
    "Gate",
    "GrpcServer",
    "ServicerRegistration",
    "bind_call",
    "call_metadata",
    "capped",
    "check_request",
    "current_call",
    "error_info",
    "rich_status",
    "rule_for",
    "status_code_for",
    "to_rpc_status",
    "upper_snake",
]
