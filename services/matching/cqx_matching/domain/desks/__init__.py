"""The negotiating desks: block agreement (two named parties) and one-way bidding."""
