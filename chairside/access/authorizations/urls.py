from __future__ import annotations

from django.urls import path

from chairside.access.authorizations.views import assistance, authorizations, benefits, queues

app_name = "authorizations"

urlpatterns = [
    path("", queues.home, name="home"),
    path("queues/<slug:key>/", queues.queue, name="queue"),
    path("assign/<slug:kind>/<uuid:public_id>/", queues.assign, name="assign"),
    path("benefits/<uuid:public_id>/", benefits.benefits, name="benefits"),
    path("orders/<uuid:order_id>/benefits/", benefits.benefits_open, name="benefits_open"),
    path("orders/<uuid:order_id>/authorizations/", authorizations.authorization_open, name="open"),
    path("authorizations/<uuid:public_id>/", authorizations.authorization_detail, name="detail"),
    path(
        "authorizations/<uuid:public_id>/status/",
        authorizations.authorization_transition,
        name="transition",
    ),
    path("authorizations/<uuid:public_id>/edit/", authorizations.authorization_edit, name="edit"),
    path(
        "authorizations/<uuid:public_id>/renew/",
        authorizations.authorization_renew,
        name="renew",
    ),
    path(
        "authorizations/<uuid:public_id>/documents/",
        authorizations.authorization_document_add,
        name="document_add",
    ),
    path("assistance-programs/", assistance.programs, name="assistance_programs"),
    path(
        "patients/<uuid:public_id>/assistance/",
        assistance.patient_assistance,
        name="assistance",
    ),
    path(
        "assistance/<uuid:public_id>/end/",
        assistance.enrollment_end,
        name="assistance_end",
    ),
    path(
        "documents/<uuid:public_id>/",
        authorizations.authorization_document,
        name="document",
    ),
]
