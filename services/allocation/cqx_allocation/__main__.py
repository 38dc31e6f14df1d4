"""``python -m cqx_allocation``: run the allocation service until SIGTERM or SIGINT."""

from __future__ import annotations

import sys

from cqx_allocation.bootstrap import build
from cqx_allocation.config import settings_from_env
from cqx_service.main import serve

if __name__ == "__main__":
    sys.exit(serve("allocation", lambda: (settings_from_env(), build)))
