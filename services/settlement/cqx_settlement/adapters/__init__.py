"""The edges of the clearing house: gRPC servicer, event codec, the exchange's events."""
