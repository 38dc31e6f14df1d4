"""CQX matching: the exchange's order books, negotiation desks, auctions and market data."""
