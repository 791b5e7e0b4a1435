"""A self-contained HTML page printed to PDF by the machine's Chromium (the one the scraper drives),
so a report's PDF is the very page its HTML shows, charts and all, with no second layout to keep.

The page is loaded with every request refused (a report is self-contained: no network, no file),
under the offline host rules, in a browser started for the print and closed after it.
"""

from __future__ import annotations

from scraper.fetch import BASE_ARGS, CHROMIUM, OFFLINE_HOST_RULES


class PdfError(Exception):
    """Chromium is missing or could not print; `message` says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.code = "pdf_unavailable"
        self.message = message


def html_to_pdf(html: str, *, title: str | None = None, landscape: bool = False,
                executable_path: str = CHROMIUM, timeout_s: float = 30.0) -> bytes:
    """The PDF (A4, backgrounds printed) of `html`. Call it outside an asyncio loop (Flask's threads,
    the CLI): it uses Playwright's sync API."""
    # Imported here, not at the top: Playwright's driver costs ~0.3 s to import, and only a PDF needs it.
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable_path, headless=True,
                                        args=[*BASE_ARGS, OFFLINE_HOST_RULES])
            try:
                page = browser.new_page()
                page.route("**/*", lambda route: route.abort())
                page.set_content(html, wait_until="load", timeout=timeout_s * 1000)
                if title:
                    page.evaluate("t => { document.title = t; }", title)
                return page.pdf(format="A4", landscape=landscape, print_background=True,
                                margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"})
            finally:
                browser.close()
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "Executable doesn't exist" in str(exc) or "ENOENT" in str(exc):
            raise PdfError(f"The PDF needs Chromium at {executable_path}; install it with "
                           "`sudo apt-get install chromium` (make install does).") from None
        raise PdfError(f"Chromium could not print the report: {first}") from None
