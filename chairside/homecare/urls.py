from __future__ import annotations

from django.urls import path

from chairside.homecare import clinical_views, reaction_views, setup_views, views, visit_views

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
    path("visits/<str:public_id>/", visit_views.document, name="visit_document"),
    path("visits/<str:public_id>/vitals/", visit_views.vitals, name="visit_vitals"),
    path("visits/<str:public_id>/doses/", visit_views.administration, name="visit_dose"),
    path(
        "visits/<str:public_id>/doses/<str:admin_id>/stop/",
        visit_views.administration_stop,
        name="visit_dose_stop",
    ),
    path("visits/<str:public_id>/reactions/", visit_views.reaction, name="visit_reaction"),
    path("visits/<str:public_id>/times/", visit_views.times, name="visit_times"),
    path("visits/<str:public_id>/sign/", visit_views.sign, name="visit_sign"),
    path("visits/<str:public_id>/addenda/", visit_views.addendum, name="visit_addendum"),
    path("reactions/", reaction_views.reactions, name="reactions"),
    path(
        "reactions/<str:public_id>/review/",
        reaction_views.reaction_review,
        name="reaction_review",
    ),
    path("shifts/new/", setup_views.shift_new, name="shift_new"),
    # the clinical side (issue 18)
    path("patients/", clinical_views.patients, name="patients"),
    path("patients/<str:public_id>/", clinical_views.patient, name="patient"),
    path("patients/<str:public_id>/home/", setup_views.home_edit, name="home_edit"),
    path(
        "patients/<str:public_id>/outside-history/",
        clinical_views.outside_history,
        name="outside_history",
    ),
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
