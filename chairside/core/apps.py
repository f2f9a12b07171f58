from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chairside.core"
    label = "core"
    verbose_name = "Chairside core"
