"""HTML to PDF with WeasyPrint: the one place the product loads it.

WeasyPrint pulls in Pango, HarfBuzz and the font machinery (about half a second and tens of
MB): it is imported on the first PDF asked for, not when the app starts.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF of an HTML document whose relative links resolve against ``base_url``."""
    from weasyprint import HTML  # noqa: PLC0415  (heavy: loaded on the first PDF, see above)

    return HTML(string=html, base_url=base_url).write_pdf()  # type: ignore[no-any-return]


def pdf_response(
    request: HttpRequest, html: str, *, filename: str, attachment: bool = False
) -> HttpResponse:
    """The HTML page as a PDF response (shown in the browser, or downloaded)."""
    pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
