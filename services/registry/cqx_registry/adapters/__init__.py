"""The registry's adapters: the gRPC servicer, the event codec, the holdings table."""
