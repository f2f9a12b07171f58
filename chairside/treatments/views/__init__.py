"""The chair-side visit pages: one screen per step, saved as the nurse goes."""
