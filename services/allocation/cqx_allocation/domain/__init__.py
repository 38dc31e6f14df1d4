"""The allocation domain, pure: commands, events, state, ``decide`` and ``evolve``, errors."""
