from __future__ import annotations

from django.urls import path

from chairside.homecare import clinical_views, setup_views, views

app_name = "homecare"

urlpatterns = [
    path("", views.day, name="day"),
    path("propose/", views.propose, name="propose"),
    path("plans/<str:public_id>/<str:action>/", views.decide, name="decide"),
    path("my-route/", views.my_route, name="my_route"),
    path("deliveries/new/", setup_views.delivery_new, name="delivery_new"),
    path("deliveries/<str:public_id>/", views.ticket, name="ticket"),
    path("deliveries/<str:public_id>/proof/", views.proof, name="proof"),
    path("visits/new/", setup_views.visit_new, name="visit_new"),
    path("shifts/new/", setup_views.shift_new, name="shift_new"),
    # the clinical side (issue 18)
    path("patients/", clinical_views.patients, name="patients"),
    path("patients/<str:public_id>/", clinical_views.patient, name="patient"),
    path("patients/<str:public_id>/home/", setup_views.home_edit, name="home_edit"),
    path("patients/<str:public_id>/orders/new/", clinical_views.order_new, name="order_new"),
    path("patients/<str:public_id>/plan/new/", clinical_views.plan_new, name="plan_new"),
    path(
        "patients/<str:public_id>/teaching/new/", clinical_views.teaching_new, name="teaching_new"
    ),
    path(
        "patients/<str:public_id>/monitoring/new/",
        clinical_views.monitoring_new,
        name="monitoring_new",
    ),
    path("orders/", clinical_views.orders, name="orders"),
    path("orders/<str:public_id>/", clinical_views.order_detail, name="order"),
    path("orders/<str:public_id>/edit/", clinical_views.order_edit, name="order_edit"),
    path("care-plans/", clinical_views.plans, name="plans"),
    path("care-plans/<str:public_id>/", clinical_views.plan_detail, name="plan"),
    path("care-plans/<str:public_id>/edit/", clinical_views.plan_edit, name="plan_edit"),
    path("care-plans/<str:public_id>/review/", clinical_views.plan_review, name="plan_review"),
    path("follow-ups/", clinical_views.follow_ups, name="follow_ups"),
    path("follow-ups/<str:public_id>/done/", clinical_views.follow_up_done, name="follow_up_done"),
]
