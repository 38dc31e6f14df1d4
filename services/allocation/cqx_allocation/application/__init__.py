"""The allocation application: in-memory state rebuilt from the log, commands, consumers."""
