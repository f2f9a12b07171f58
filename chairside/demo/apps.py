from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo center (``manage.py seeddemo``, ``democode``): no models, no pages."""

    name = "chairside.demo"
    label = "demo"
    verbose_name = "Demo center"
