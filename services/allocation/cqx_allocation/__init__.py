"""The allocation service: covered entities, allocations and their issuance, compliance."""
