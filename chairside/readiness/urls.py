from __future__ import annotations

from django.urls import path

from chairside.readiness import views

app_name = "readiness"

urlpatterns = [path("", views.board, name="board")]
