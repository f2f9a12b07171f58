from __future__ import annotations

from django.urls import path

from chairside.api import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("<uuid:public_id>/revoke/", views.token_revoke, name="revoke"),
]
