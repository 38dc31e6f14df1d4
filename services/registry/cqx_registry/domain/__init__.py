"""The registry's domain: commands, events, holdings, decide and evolve. Pure: no I/O."""
