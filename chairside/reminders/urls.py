from __future__ import annotations

from django.urls import path

from chairside.reminders import views

app_name = "reminders"

urlpatterns = [
    # Public (no log-in): the link in a reminder; the signed token is the only credential.
    path("r/<str:token>/", views.answer, name="answer"),
    path("requests/", views.requests_queue, name="requests"),
    path("requests/<uuid:public_id>/done/", views.request_done, name="request_done"),
]
