"""The clearing house's rules: pure commands, events, state, ``decide`` and ``evolve``."""
