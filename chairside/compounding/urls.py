from __future__ import annotations

from django.urls import path

from chairside.compounding import views

app_name = "compounding"

urlpatterns = [
    path("", views.home, name="home"),
    path("formulations/", views.formulation_list, name="formulations"),
    path("formulations/new/", views.formulation_new, name="formulation_new"),
    path("formulations/<uuid:public_id>/", views.formulation_detail, name="formulation"),
    path("formulations/<uuid:public_id>/compound/", views.compound, name="compound"),
    path("recall/", views.recall, name="recall"),
    path("<uuid:public_id>/", views.record_detail, name="record"),
    path("<uuid:public_id>/verify/", views.record_verify, name="verify"),
    path("<uuid:public_id>/label/", views.record_label, name="label"),
]
