"""Chair-side visit use cases (one module per area, re-exported here).

Every write is keyword-only, runs in one transaction, locks the visit, refuses a signed
visit (corrections are addenda), raises a ValidationError a nurse can read, and writes the
audit trail. Stable interface for other modules: ``visit_start``, ``visit_sign`` and
``visit_encounter_facts`` (billing's seam, ``rules.billing.charges``).
"""

from __future__ import annotations

from chairside.treatments.services.administration import (
    administration_pause,
    administration_rate,
    administration_record_dose,
    administration_remove,
    administration_resume,
    administration_start,
    administration_stop,
)
from chairside.treatments.services.consent import consent_record, consent_revoke
from chairside.treatments.services.facts import visit_encounter_facts
from chairside.treatments.services.order_sets import order_item_give
from chairside.treatments.services.prep_gate import (
    early_preparation_record,
    prep_gate_problem,
)
from chairside.treatments.services.preparation import (
    preparation_attach,
    preparation_cosign,
    preparation_dispense,
    preparation_save,
    preparation_waste_witness,
)
from chairside.treatments.services.reactions import (
    alert_acknowledge,
    reaction_outcome,
    reaction_record,
)
from chairside.treatments.services.reports import (
    report_deliver,
    report_ensure_pdf,
    report_mark_sent,
    report_queue,
    reports_send_queued,
)
from chairside.treatments.services.signing import addendum_add, visit_sign
from chairside.treatments.services.verification import dose_verify
from chairside.treatments.services.visits import (
    visit_allergy_add,
    visit_check_in_and_start,
    visit_discharge,
    visit_start,
    visit_update,
)
from chairside.treatments.services.vitals import vitals_record, vitals_remove

__all__ = [
    "early_preparation_record",
    "prep_gate_problem",
    "order_item_give",
    "addendum_add",
    "administration_pause",
    "administration_rate",
    "administration_record_dose",
    "administration_remove",
    "administration_resume",
    "administration_start",
    "administration_stop",
    "alert_acknowledge",
    "consent_record",
    "consent_revoke",
    "dose_verify",
    "preparation_attach",
    "preparation_cosign",
    "preparation_waste_witness",
    "preparation_dispense",
    "preparation_save",
    "reaction_outcome",
    "reaction_record",
    "report_deliver",
    "report_ensure_pdf",
    "report_mark_sent",
    "report_queue",
    "reports_send_queued",
    "visit_check_in_and_start",
    "visit_discharge",
    "visit_encounter_facts",
    "visit_sign",
    "visit_start",
    "visit_allergy_add",
    "visit_update",
    "vitals_record",
    "vitals_remove",
]
