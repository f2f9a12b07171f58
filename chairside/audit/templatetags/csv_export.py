"""``{% export_csv_link %}``: the list page's "Export CSV" link — the page's own query (its
filters) with ``format=csv``, without the page number, so every row of the list is exported."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from chairside.audit.exports import CSV

register = template.Library()


@register.simple_tag(takes_context=True)
def export_csv_link(context: dict[str, Any], label: str = "Export CSV", table: str = "") -> str:
    """The link; ``table`` names a page's second list (``export_columns(..., table=...)``)."""
    request = context["request"]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("table", None)
    query["format"] = CSV
    if table:
        query["table"] = table
    return format_html(
        '<a class="export-csv" href="{}?{}" download>{}</a>',
        request.path,
        query.urlencode(),
        label,
    )
