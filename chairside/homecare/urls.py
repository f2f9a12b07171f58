from __future__ import annotations

from django.urls import path

from chairside.homecare import views

app_name = "homecare"

urlpatterns = [
    path("", views.day, name="day"),
    path("propose/", views.propose, name="propose"),
    path("plans/<str:public_id>/<str:action>/", views.decide, name="decide"),
    path("my-route/", views.my_route, name="my_route"),
    path("deliveries/<str:public_id>/", views.ticket, name="ticket"),
    path("deliveries/<str:public_id>/proof/", views.proof, name="proof"),
]
