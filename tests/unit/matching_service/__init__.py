"""Unit tests of the matching service around the engine: codec, feed, trading days, application."""
