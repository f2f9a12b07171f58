from __future__ import annotations

from django.urls import path

from chairside.compliance import views

app_name = "compliance"

L = "<uuid:location_id>/"
urlpatterns = [
    path("", views.index, name="home"),
    path(L, views.page, name="page"),
    path(L + "pdf/", views.pdf, name="pdf"),
    path(L + "licences/new/", views.licence_new, name="licence_new"),
    path(L + "licences/<uuid:public_id>/verify/", views.licence_verify, name="licence_verify"),
    path(L + "checkoffs/new/", views.checkoff_new, name="checkoff_new"),
    path(L + "policies/new/", views.policy_new, name="policy_new"),
    path(
        L + "policies/<uuid:public_id>/acknowledge/",
        views.policy_acknowledge,
        name="policy_acknowledge",
    ),
    path(L + "devices/new/", views.device_new, name="device_new"),
    path(L + "readings/new/", views.reading_new, name="reading_new"),
    path(L + "import/", views.csv_upload, name="csv_upload"),
    path(L + "import/<uuid:public_id>/", views.csv_batch, name="import"),
    path(L + "excursions/<uuid:public_id>/", views.excursion_follow_up, name="excursion_follow_up"),
    path(L + "incidents/new/", views.incident_new, name="incident_new"),
    path(L + "incidents/<uuid:public_id>/actions/new/", views.action_new, name="action_new"),
    path(L + "actions/<uuid:public_id>/done/", views.action_done, name="action_done"),
]
