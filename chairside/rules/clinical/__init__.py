"""Clinical rules: regimens and doses, infusion preparation, vitals, labs, allergies, order
sets, the visit's safety checks and double checks, ICD-10 codes, home plans of care."""
