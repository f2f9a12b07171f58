from __future__ import annotations

from django.urls import path

from chairside.fhir import views

app_name = "fhir"

urlpatterns = [
    path("", views.system, name="system"),
    path("metadata", views.metadata, name="metadata"),
    path(
        "Claim/<uuid:authorization_id>/$pas-request-bundle",
        views.pas_request,
        name="pas_request_bundle",
    ),
    path("<str:kind>", views.type_level, name="type"),
    path("<str:kind>/<str:resource_id>", views.instance, name="instance"),
]
