from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from chairside.access.authorizations.api import authorizations_router
from chairside.access.authorizations.api import router as access_router
from chairside.access.referrals.api import orders_router
from chairside.accounts import views as account_views
from chairside.analytics.api import router as reports_router
from chairside.api.api import api
from chairside.billing.api import router as claims_router
from chairside.compounding.api import router as compounding_router
from chairside.core import views as core_views
from chairside.homecare.api import router as homecare_router
from chairside.inventory import urls as inventory_urls
from chairside.inventory.api import router as stock_router
from chairside.patients.api import coverages_router
from chairside.patients.api import router as patients_router
from chairside.scheduling.api import appointments_router
from chairside.scheduling.api import router as schedule_router
from chairside.tenancy import urls as tenancy_urls
from chairside.tenancy import views as tenancy_views
from chairside.treatments.api import router as visits_router
from chairside.treatments.urls import pharmacy_urlpatterns

# Each part's API router, mounted on the one API (chairside/api/api.py).
api.add_router("/v1/patients", patients_router)
api.add_router("/v1/schedule", schedule_router)
api.add_router("/v1/access", access_router)
api.add_router("/v1/claims", claims_router)
api.add_router("/v1/compounding", compounding_router)
api.add_router("/v1/homecare", homecare_router)
api.add_router("/v1/coverages", coverages_router)
api.add_router("/v1/orders", orders_router)
api.add_router("/v1/authorizations", authorizations_router)
api.add_router("/v1/appointments", appointments_router)
api.add_router("/v1/stock", stock_router)
api.add_router("/v1/visits", visits_router)
api.add_router("/v1/reports", reports_router)

admin.site.site_header = "Chairside administration"
admin.site.site_title = "Chairside admin"

urlpatterns = [
    path("", tenancy_views.today, name="today"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("account/api-tokens/", include("chairside.api.urls")),
    path("account/", include("chairside.accounts.urls")),
    path("organization/switch/", tenancy_views.switch_organization, name="switch_organization"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links; send them to the SVG.
    path("favicon.ico", core_views.favicon),
    path("patients/", include("chairside.patients.urls")),
    path("referrals/", include("chairside.access.referrals.urls")),
    path("access/", include("chairside.access.authorizations.urls")),
    path("schedule/", include("chairside.scheduling.urls")),
    path("schedule/readiness/", include("chairside.readiness.urls")),
    path("reminders/", include("chairside.reminders.urls")),
    path("homecare/", include("chairside.homecare.urls")),
    path(
        "inventory/",
        include((inventory_urls.urlpatterns + pharmacy_urlpatterns, inventory_urls.app_name)),
    ),
    path("visits/", include("chairside.treatments.urls")),
    path("compounding/", include("chairside.compounding.urls")),
    path("compliance/", include("chairside.compliance.urls")),
    path("billing/", include("chairside.billing.urls")),
    path(
        "admin/settings/",
        include(
            (
                [
                    *tenancy_urls.urlpatterns,
                    path(
                        "logins/<uuid:public_id>/password/",
                        account_views.password_reset,
                        name="password_reset",
                    ),
                ],
                "tenancy",
            )
        ),
    ),
    path("reports/", include("chairside.analytics.urls")),
    path("interfaces/", include("chairside.interop.urls")),
    # The Django admin has no log-in of its own: its log-in and log-out go through the app's
    # (throttled, audited, two-factor); staff still need is_staff to see the admin.
    path("django-admin/login/", account_views.admin_login_redirect),
    path("django-admin/logout/", account_views.logout_view),
    path("django-admin/", admin.site.urls),
    path("api/", api.urls),
    path("fhir/r4/", include("chairside.fhir.urls")),
]

# Uploaded documents are never served from MEDIA_URL, not even in DEBUG: they are patient
# data and go out only through the documents' own views (log-in, organization, audit).

handler403 = "chairside.core.views.error_403"
handler404 = "chairside.core.views.error_404"
