"""The exchange's application layer: the in-memory engine, its log, read models and feeds."""
