"""Other modules add sections to the patient chart (orders, appointments, visits).

A module registers ``(request, patient) -> str`` (rendered HTML) in its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from chairside.core.registry import Registry

Section = Callable[[HttpRequest, Any], str]
_SECTIONS: Registry[Section] = Registry()
register_chart_section = _SECTIONS.register


def render_sections(request: HttpRequest, patient: Any) -> list[str]:
    return [html for section in _SECTIONS if (html := section(request, patient))]
