from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from chairside.accounts import views as account_views
from chairside.api.api import api
from chairside.core import views as core_views

admin.site.site_header = "Chairside administration"
admin.site.site_title = "Chairside admin"

urlpatterns = [
    path("", core_views.today, name="today"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("account/api-tokens/", include("chairside.api.urls")),
    path("account/", include("chairside.accounts.urls")),
    path("organization/switch/", core_views.switch_organization, name="switch_organization"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links; send them to the SVG.
    path("favicon.ico", core_views.favicon),
    path("patients/", include("chairside.patients.urls")),
    path("referrals/", include("chairside.referrals.urls")),
    path("access/", include("chairside.authorizations.urls")),
    path("schedule/", include("chairside.scheduling.urls")),
    path("schedule/readiness/", include("chairside.readiness.urls")),
    path("reminders/", include("chairside.reminders.urls")),
    path("homecare/", include("chairside.homecare.urls")),
    path("inventory/", include("chairside.inventory.urls")),
    path("visits/", include("chairside.treatments.urls")),
    path("billing/", include("chairside.billing.urls")),
    path("admin/settings/", include("chairside.tenancy.urls")),
    path("reports/", include("chairside.analytics.urls")),
    # The Django admin has no log-in of its own: its log-in and log-out go through the app's
    # (throttled, audited, two-factor); staff still need is_staff to see the admin.
    path("django-admin/login/", account_views.admin_login_redirect),
    path("django-admin/logout/", account_views.logout_view),
    path("django-admin/", admin.site.urls),
    path("api/", api.urls),
]

# Uploaded documents are never served from MEDIA_URL, not even in DEBUG: they are patient
# data and go out only through the documents' own views (log-in, organization, audit).

handler403 = "chairside.core.views.error_403"
handler404 = "chairside.core.views.error_404"
