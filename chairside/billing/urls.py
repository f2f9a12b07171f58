from __future__ import annotations

from django.urls import path

from chairside.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/export/", views.claims_export_ready, name="export_ready"),
    path("claims/<uuid:public_id>/", views.claim_detail, name="claim"),
    path("claims/<uuid:public_id>/check/", views.claim_check, name="claim_check"),
    path("claims/<uuid:public_id>/move/", views.claim_transition, name="claim_transition"),
    path("claims/<uuid:public_id>/submit/", views.claim_submit, name="claim_submit"),
    path("claims/<uuid:public_id>/replace/", views.claim_replace, name="claim_replace"),
    path("claims/<uuid:public_id>/void/", views.claim_void, name="claim_void"),
    path("claims/<uuid:public_id>/mue/", views.claim_mue_override, name="claim_mue"),
    path("claims/<uuid:public_id>/cms-1500/", views.claim_cms1500, name="claim_cms1500"),
    path("claims/<uuid:public_id>/ub-04/", views.claim_ub04, name="claim_ub04"),
    path("claims/<uuid:public_id>/assistance/", views.claim_assistance, name="claim_assistance"),
    path("assistance/<uuid:public_id>/decide/", views.assistance_decide, name="assistance_decide"),
    path(
        "assistance/documents/<uuid:public_id>/",
        views.assistance_document,
        name="assistance_document",
    ),
    path("exports/<uuid:public_id>/", views.export_download, name="export"),
    path("visits/<uuid:public_id>/", views.encounter_detail, name="encounter"),
    path("visits/<uuid:public_id>/reviewed/", views.encounter_reviewed, name="encounter_reviewed"),
    path("lines/<uuid:public_id>/adjust/", views.line_adjust, name="line_adjust"),
    path("remittances/", views.remittance_list, name="remittances"),
    path("remittances/unmatched/", views.unmatched_list, name="unmatched"),
    path(
        "remittances/unmatched/<uuid:public_id>/resolve/",
        views.unmatched_resolve,
        name="unmatched_resolve",
    ),
    path("remittances/<uuid:public_id>/", views.remittance_detail, name="remittance"),
    path("denials/<uuid:public_id>/", views.denial_update, name="denial"),
    path("fees/", views.fee_schedule, name="fees"),
    path("fees/opps/", views.opps_rates, name="opps"),
    path("contracts/", views.contract_list, name="contracts"),
    path("contracts/new/", views.contract_new, name="contract_new"),
    path("contracts/<uuid:public_id>/", views.contract_edit, name="contract"),
    path("contracts/<uuid:public_id>/fees/", views.contract_admin_fee, name="contract_fee"),
    path("contracts/<uuid:public_id>/drugs/", views.contract_drug_rate, name="contract_drug"),
    path("patients/", views.patient_balances, name="patient_balances"),
    path("patients/<uuid:public_id>/", views.patient_account, name="patient_account"),
    path("patients/<uuid:public_id>/payments/", views.patient_payment, name="patient_payment"),
    path(
        "patients/<uuid:public_id>/write-offs/", views.patient_write_off, name="patient_write_off"
    ),
    path("patients/<uuid:public_id>/plan/", views.payment_plan_start, name="payment_plan_start"),
    path("patients/<uuid:public_id>/statements/", views.statement_create, name="statement_create"),
    path("plans/<uuid:public_id>/end/", views.payment_plan_end, name="payment_plan_end"),
    path("statements/<uuid:public_id>/", views.statement_detail, name="statement"),
    path("margins/", views.margins, name="margins"),
    path("home-infusion/", views.home_infusion_months, name="home_infusion"),
    path(
        "home-infusion/<uuid:public_id>/derive/",
        views.home_infusion_derive,
        name="home_infusion_derive",
    ),
    path("settings/", views.billing_settings, name="settings"),
    path("settings/drug-categories/", views.payer_drug_category, name="payer_drug_category"),
]
