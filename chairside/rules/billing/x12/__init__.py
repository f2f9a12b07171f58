"""ASC X12 5010 documents: the 837P/837I claims, the 835 remittance, the 270/271
eligibility inquiry and response, the 278 prior-authorization review, and their validation.

The 837P writer holds what the others share: the segment helpers (``_seg``, ``_isa_segment``,
``_text``, ...) and the CAS adjustment type (``Adjustment``, the 835's ``RemitAdjustment``).
"""
