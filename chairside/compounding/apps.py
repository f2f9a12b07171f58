from __future__ import annotations

from django.apps import AppConfig


class CompoundingConfig(AppConfig):
    name = "chairside.compounding"
    label = "compounding"
    verbose_name = "Sterile compounding"
