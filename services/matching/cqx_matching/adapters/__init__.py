"""The exchange's adapters: the gRPC servicer, the event codec, the foreign events."""
