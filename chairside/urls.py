from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from chairside.api.api import api
from chairside.core import views as core_views

admin.site.site_header = "Chairside administration"
admin.site.site_title = "Chairside admin"

urlpatterns = [
    path("", core_views.today, name="today"),
    path("login/", core_views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("organization/switch/", core_views.switch_organization, name="switch_organization"),
    path("healthz", core_views.healthz, name="healthz"),
    path("patients/", include("chairside.patients.urls")),
    path("referrals/", include("chairside.referrals.urls")),
    path("access/", include("chairside.authorizations.urls")),
    path("schedule/", include("chairside.scheduling.urls")),
    path("inventory/", include("chairside.inventory.urls")),
    path("visits/", include("chairside.treatments.urls")),
    path("billing/", include("chairside.billing.urls")),
    path("admin/settings/", include("chairside.tenancy.urls")),
    path("reports/", include("chairside.analytics.urls")),
    path("django-admin/", admin.site.urls),
    path("api/", api.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
