"""``python -m cqx_registry``: run the registry until SIGTERM or SIGINT."""

from __future__ import annotations

import sys

from cqx_registry.bootstrap import build
from cqx_registry.config import load_settings
from cqx_service.main import serve

if __name__ == "__main__":
    sys.exit(serve("registry", lambda: (load_settings(), build)))
