"""Other modules add sections to the patient chart (orders, appointments, visits).

A module registers ``(request, patient) -> str`` (rendered HTML) in its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Section = Callable[[HttpRequest, Any], str]
_SECTIONS: list[Section] = []


def register_chart_section(section: Section) -> Section:
    if section not in _SECTIONS:
        _SECTIONS.append(section)
    return section


def render_sections(request: HttpRequest, patient: Any) -> list[str]:
    return [html for section in _SECTIONS if (html := section(request, patient))]
