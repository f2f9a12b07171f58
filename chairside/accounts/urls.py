from __future__ import annotations

from django.urls import path

from chairside.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_home, name="home"),
    path("password/", views.password_change, name="password_change"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/set-up/", views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/recovery-codes/", views.recovery_codes_new, name="recovery_codes"),
    path("two-factor/off/", views.two_factor_off, name="two_factor_off"),
    path("invitations/<uuid:public_id>/", views.invitation_respond, name="invitation"),
    path("session/", views.session_clock, name="session"),
]
