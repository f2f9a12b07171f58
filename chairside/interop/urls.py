from __future__ import annotations

from django.urls import path

from chairside.interop import eligibility_views, views
from chairside.interop import prior_auth_views as pa

app_name = "interop"

urlpatterns = [
    path("", views.message_list, name="messages"),
    path("messages.csv", views.message_list_csv, name="messages_csv"),
    path("receive/", views.message_receive, name="receive"),
    path("settings/", views.settings_edit, name="settings"),
    path("feed.hl7", views.feed_download, name="feed_download"),
    path("messages/<uuid:public_id>/", views.message_detail, name="message"),
    path("messages/<uuid:public_id>/reprocess/", views.message_reprocess, name="reprocess"),
    path("messages/<uuid:public_id>/download/", views.message_download, name="download"),
    path("import/", views.import_start, name="import"),
    path("import/<uuid:public_id>/", views.import_detail, name="import_detail"),
    path("import/<uuid:public_id>/commit/", views.import_commit, name="import_commit"),
    path(
        "eligibility/benefits/<uuid:public_id>/",
        eligibility_views.eligibility_list,
        name="eligibility_list",
    ),
    path(
        "eligibility/benefits/<uuid:public_id>/check/",
        eligibility_views.eligibility_check,
        name="eligibility_check",
    ),
    path("eligibility/<uuid:public_id>/", eligibility_views.eligibility_review, name="eligibility"),
    path(
        "eligibility/<uuid:public_id>/confirm/",
        eligibility_views.eligibility_confirm,
        name="eligibility_confirm",
    ),
    path(
        "eligibility/<uuid:public_id>/dismiss/",
        eligibility_views.eligibility_dismiss,
        name="eligibility_dismiss",
    ),
    path(
        "eligibility/<uuid:public_id>/collect/",
        eligibility_views.eligibility_collect,
        name="eligibility_collect",
    ),
    # Electronic prior authorization of one authorization (X12 278, Da Vinci PAS).
    path("prior-auth/<uuid:public_id>/278/", pa.prepare_278, name="prior_auth_278"),
    path("prior-auth/<uuid:public_id>/278/response/", pa.read_278, name="prior_auth_read"),
    path("prior-auth/<uuid:public_id>/278/confirm/", pa.confirm_278, name="prior_auth_confirm"),
    path("prior-auth/<uuid:public_id>/pas.json", pa.pas_bundle, name="prior_auth_pas"),
    path("prior-auth/278/<uuid:public_id>/download/", pa.download_278, name="prior_auth_download"),
]
