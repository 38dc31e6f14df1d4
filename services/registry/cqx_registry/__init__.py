"""The CQX registry: accounts and the allowances they hold (the legal record of ownership)."""
