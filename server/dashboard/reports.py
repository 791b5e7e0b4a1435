"""Reports to share: a shortlist (a watchlist, a comparison) or a campaign as one self-contained HTML
file (its stylesheet inline, charts as inline SVG, no request to anything) and the same page as a PDF
(server/pdf.py prints it with Chromium).

`report_html(template, **context)` renders a report template (which extends `report_base.html`) with
the stylesheet inlined; `html_download` and `pdf_download` answer it as a file. The routes of each
report live with their screen (watchlists, compare, campaigns) or below.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Response, current_app, render_template

from server.pdf import PdfError, html_to_pdf

REPORT_CSS = "report.css"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def report_css() -> str:
    return (Path(current_app.static_folder) / REPORT_CSS).read_text(encoding="utf-8")


def report_html(template: str, **context) -> str:
    """The report page, self-contained: `report_base.html` puts `css` in a <style> element."""
    return render_template(template, css=report_css(), **context)


def filename(stem: str, ext: str) -> str:
    return f"{_SAFE_NAME.sub('-', stem).strip('-') or 'report'}.{ext}"


def html_download(html: str, stem: str) -> Response:
    resp = Response(html, mimetype="text/html")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename(stem, "html")}"'
    # the downloaded page's own CSP: its inline <style> only, nothing fetched
    resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return resp


def pdf_download(html: str, stem: str, title: str | None = None) -> Response:
    try:
        pdf = html_to_pdf(html, title=title)
    except PdfError as exc:
        return Response(exc.message, status=503, mimetype="text/plain")
    resp = Response(pdf, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename(stem, "pdf")}"'
    return resp
