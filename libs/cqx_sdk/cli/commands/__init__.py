"""The ``cqx`` subcommands, one module per area."""
