"""Adapters: the gRPC servicer and the event codecs (domain ↔ protobuf)."""
