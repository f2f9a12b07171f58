from __future__ import annotations

from django.urls import path

from chairside.access.referrals.views import orders, providers, referrals

app_name = "referrals"

urlpatterns = [
    path("", referrals.referral_list, name="list"),
    path("new/", referrals.referral_edit, name="create"),
    path("<uuid:public_id>/", referrals.referral_detail, name="detail"),
    path("<uuid:public_id>/edit/", referrals.referral_edit, name="edit"),
    path("<uuid:public_id>/state/", referrals.referral_transition, name="transition"),
    path(
        "<uuid:public_id>/register-patient/",
        referrals.referral_register_patient,
        name="register_patient",
    ),
    path("<uuid:public_id>/link-patient/", referrals.referral_link_patient, name="link_patient"),
    path("<uuid:public_id>/documents/", referrals.referral_document_add, name="document_add"),
    path("documents/<uuid:public_id>/", referrals.referral_document, name="document"),
    path("providers/", providers.provider_list, name="providers"),
    path("providers/new/", providers.provider_edit, name="provider_create"),
    path("providers/<uuid:public_id>/", providers.provider_edit, name="provider_edit"),
    path("orders/new/<uuid:patient_id>/", orders.order_create, name="order_create"),
    path("orders/regimens/", orders.regimen_options, name="regimen_options"),
    path("orders/to-sign/", orders.to_sign, name="to_sign"),
    path("orders/<uuid:public_id>/sign/", orders.order_sign, name="order_sign"),
    path("orders/<uuid:public_id>/", orders.order_detail, name="order"),
    path("orders/<uuid:public_id>/edit/", orders.order_edit, name="order_edit"),
    path("orders/<uuid:public_id>/status/", orders.order_status, name="order_status"),
    path("orders/<uuid:public_id>/labs/", orders.order_lab_add, name="order_lab_add"),
    path("labs/new/<uuid:patient_id>/", orders.lab_add, name="lab_add"),
]
