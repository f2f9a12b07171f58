from __future__ import annotations

from django.apps import AppConfig


class FormularyConfig(AppConfig):
    name = "chairside.formulary"
    label = "formulary"
    verbose_name = "Formulary"
