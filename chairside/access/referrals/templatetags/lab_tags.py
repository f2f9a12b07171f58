"""The coded lab list on pages: a lab's LOINC code(s), or a warning that it is uncoded."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from chairside.rules.clinical.lab_codes import lab_codes

register = template.Library()


@register.filter
def lab_code(code: str) -> str:
    """ "LOINC 5196-1 + 16933-4", or an "uncoded" warning for a lab off the coded list."""
    entry = lab_codes().get(code or "")
    if entry is None:
        return format_html(
            '<span class="badge warn" title="{}">uncoded</span>',
            "Not on the coded lab list: results match it only when typed with exactly "
            "the same name.",
        )
    return format_html('<span class="muted lab-loinc">LOINC {}</span>', entry.loinc_codes)
