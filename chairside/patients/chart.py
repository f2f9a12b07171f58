"""Other modules add sections to the patient chart (orders, appointments, visits).

A module registers ``(request, patient) -> str`` (rendered HTML) in its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chairside.core.registry import Registry
from chairside.tenancy.access import OrgRequest

# The chart page's request (the active organization); a section may take any HttpRequest.
Section = Callable[[OrgRequest, Any], str]
_SECTIONS: Registry[Section] = Registry()
register_chart_section = _SECTIONS.register


def render_sections(request: OrgRequest, patient: Any) -> list[str]:
    return [html for section in _SECTIONS if (html := section(request, patient))]
