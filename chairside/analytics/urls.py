from __future__ import annotations

from django.urls import path

from chairside.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.home, name="home"),
    path("panels/<slug:group>/", views.panel_group, name="panel_group"),
    path("prepared-not-given/", views.prepared_not_given, name="prepared_not_given"),
    path("planner/", views.planner, name="planner"),
    path("planner/new/", views.scenario_edit, name="scenario_create"),
    path("planner/compare/", views.scenario_compare, name="compare"),
    path("planner/<uuid:public_id>/", views.scenario_detail, name="scenario"),
    path("planner/<uuid:public_id>/edit/", views.scenario_edit, name="scenario_edit"),
    path("planner/<uuid:public_id>/simulate/", views.scenario_simulate, name="simulate"),
    path("planner/<uuid:public_id>/delete/", views.scenario_delete, name="scenario_delete"),
    path("planner/<uuid:public_id>/export.csv", views.scenario_csv, name="scenario_csv"),
    path("planner/<uuid:public_id>/export.pdf", views.scenario_pdf, name="scenario_pdf"),
    path("clients/<uuid:client_id>/fee/", views.fee_terms_edit, name="fee_terms"),
]
