from __future__ import annotations

from django.urls import path

from chairside.treatments.views import (
    administration,
    checks,
    day,
    discharge,
    pharmacy,
    preparation,
    reports,
)

app_name = "treatments"

urlpatterns = [
    path("", day.day, name="day"),
    path("appointments/<uuid:public_id>/start/", day.start, name="start"),
    path("reports/", reports.queue, name="reports"),
    path("reports/<uuid:public_id>/report.pdf", reports.report_pdf, name="report_pdf"),
    path("reports/<uuid:public_id>/sent/", reports.mark_sent, name="report_sent"),
    path("reports/<uuid:public_id>/resend/", reports.resend, name="report_resend"),
    path("alerts/", reports.alerts, name="alerts"),
    path("alerts/<uuid:public_id>/acknowledge/", reports.acknowledge, name="alert_ack"),
    path("<uuid:public_id>/", day.visit_home, name="visit"),
    path("<uuid:public_id>/checks/", checks.checks, name="checks"),
    path("<uuid:public_id>/checks/save/", checks.checks_save, name="checks_save"),
    path("<uuid:public_id>/checks/allergy/", checks.allergy_new, name="allergy_new"),
    path("<uuid:public_id>/consent/", checks.consent_save, name="consent"),
    path("<uuid:public_id>/vitals/", checks.vitals_save, name="vitals"),
    path("<uuid:public_id>/preparation/", preparation.preparation, name="preparation"),
    path("<uuid:public_id>/preparation/dispense/", preparation.dispense, name="dispense"),
    path("<uuid:public_id>/preparation/attach/", preparation.attach, name="attach"),
    path(
        "<uuid:public_id>/preparation/save/", preparation.preparation_save, name="preparation_save"
    ),
    path(
        "<uuid:public_id>/preparation/check/",
        preparation.preparation_check,
        name="preparation_check",
    ),
    path(
        "<uuid:public_id>/preparation/waste-witness/",
        preparation.waste_witness,
        name="waste_witness",
    ),
    path("<uuid:public_id>/administration/", administration.administration, name="administration"),
    path(
        "<uuid:public_id>/administration/start/", administration.start, name="administration_start"
    ),
    path(
        "<uuid:public_id>/administration/<uuid:admin_id>/<str:what>/",
        administration.action,
        name="administration_action",
    ),
    path("<uuid:public_id>/reactions/", administration.reaction, name="reaction"),
    path("<uuid:public_id>/order-items/", administration.order_item, name="order_item"),
    path(
        "<uuid:public_id>/reactions/<uuid:reaction_id>/outcome/",
        administration.outcome,
        name="reaction_outcome",
    ),
    path("<uuid:public_id>/discharge/", discharge.discharge, name="discharge"),
    path("<uuid:public_id>/discharge/save/", discharge.discharge_save, name="discharge_save"),
    path("<uuid:public_id>/sign/", discharge.sign, name="sign"),
    path("<uuid:public_id>/sign/confirm/", discharge.sign_confirm, name="sign_confirm"),
    path("<uuid:public_id>/record/", discharge.summary, name="summary"),
    path("<uuid:public_id>/addenda/", discharge.addendum, name="addendum"),
]

# The pharmacist's queue of booked doses lives with the visits (it needs them) but is the
# pharmacy's page: the root URLconf serves it under /inventory/ in the inventory namespace,
# beside dispensing (``inventory:queue``), so inventory itself imports nothing of the visit.
pharmacy_urlpatterns = [
    path("queue/", pharmacy.queue, name="queue"),
    path("queue/<uuid:public_id>/verify/", pharmacy.verify, name="queue_verify"),
    path("queue/<uuid:public_id>/early/", pharmacy.early_prep, name="queue_early_prep"),
]
