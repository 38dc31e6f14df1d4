"""The shared kernel of CQX: errors, clock and ids used by every library and service."""
