from __future__ import annotations

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "chairside.patients"
    label = "patients"
    verbose_name = "Patients"
