"""The clearing house in memory: rebuilt from its own log, commands and the exchange's events."""
