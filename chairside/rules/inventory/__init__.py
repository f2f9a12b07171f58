"""Inventory rules: NDCs and carton barcodes, which vials to open, FEFO lots, forecasts and
reservations, stock reconciliation, storage temperature and sterile compounding (BUD)."""
