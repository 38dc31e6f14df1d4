"""The registry's application: in-memory state, command handlers, reactions, projections."""
