"""CQX settlement: the clearing house's cash ledger and delivery-versus-payment settlement."""
