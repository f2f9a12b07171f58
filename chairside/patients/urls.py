from __future__ import annotations

from django.urls import path

from chairside.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<uuid:public_id>/", views.patient_chart, name="chart"),
    path("<uuid:public_id>/edit/", views.patient_edit, name="edit"),
    path("<uuid:public_id>/audit/", views.patient_audit, name="audit"),
    path("<uuid:public_id>/access/", views.patient_access, name="access"),
    path("<uuid:public_id>/contact/", views.contact_preferences, name="contact"),
    path("<uuid:public_id>/allergies/new/", views.allergy_add, name="allergy_add"),
    path(
        "<uuid:public_id>/allergies/<uuid:item_id>/remove/",
        views.allergy_remove,
        name="allergy_remove",
    ),
    path("<uuid:public_id>/diagnoses/new/", views.diagnosis_add, name="diagnosis_add"),
    path(
        "<uuid:public_id>/diagnoses/<uuid:item_id>/remove/",
        views.diagnosis_remove,
        name="diagnosis_remove",
    ),
    path("<uuid:public_id>/weights/new/", views.measurement_add, name="measurement_add"),
    path("<uuid:public_id>/coverages/new/", views.coverage_add, name="coverage_add"),
    path(
        "<uuid:public_id>/coverages/<uuid:coverage_id>/", views.coverage_edit, name="coverage_edit"
    ),
]
