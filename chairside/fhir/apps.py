from __future__ import annotations

from django.apps import AppConfig


class FhirConfig(AppConfig):
    """The FHIR R4 facade at /fhir/r4/ (issue 19): read, search and referral intake."""

    name = "chairside.fhir"
    label = "fhir"
    verbose_name = "FHIR R4"
    default_auto_field = "django.db.models.BigAutoField"
