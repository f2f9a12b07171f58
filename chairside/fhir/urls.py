from __future__ import annotations

from django.urls import path

from chairside.fhir import views

app_name = "fhir"

urlpatterns = [
    path("", views.system, name="system"),
    path("metadata", views.metadata, name="metadata"),
    path("<str:kind>", views.type_level, name="type"),
    path("<str:kind>/<str:resource_id>", views.instance, name="instance"),
]
