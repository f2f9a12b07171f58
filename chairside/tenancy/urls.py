from __future__ import annotations

from django.urls import path

from chairside.tenancy import views

app_name = "tenancy"

# The member password reset (``accounts.views.password_reset``) joins this namespace in the
# root URLconf: accounts comes after tenancy in the flow.
urlpatterns = [
    path("", views.settings_home, name="settings"),
    path("locations/new/", views.location_edit, name="location_create"),
    path("locations/<uuid:public_id>/", views.location_edit, name="location_edit"),
    path("locations/<uuid:location_id>/chairs/new/", views.chair_edit, name="chair_create"),
    path(
        "locations/<uuid:location_id>/chairs/<uuid:public_id>/", views.chair_edit, name="chair_edit"
    ),
    path("staff/", views.staff_list, name="staff"),
    path("staff/new/", views.staff_edit, name="staff_create"),
    path("staff/<uuid:public_id>/", views.staff_edit, name="staff_edit"),
    path("audit/", views.audit_trail, name="audit"),
    path("logins/new/", views.membership_grant, name="membership_grant"),
]
