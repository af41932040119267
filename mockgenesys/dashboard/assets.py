"""The page's static files, shipped inside the package (``mockgenesys/dashboard/static``).

Hand-written HTML, CSS and JavaScript modules: no CDN, nothing to build. The page loads only
from its own origin, which its Content-Security-Policy enforces.
"""

from __future__ import annotations

from importlib import resources

from starlette.responses import Response

#: The files ``GET /__admin/assets/{name}`` serves, besides the page itself.
ASSETS = ("dashboard.css", "api.js", "charts.js", "journal.js", "panels.js", "world.js", "main.js")
PAGE = "index.html"
CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
#: Scripts, styles and connections from this origin only; the favicon is an empty data: URL.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {"cache-control": "no-cache", "x-content-type-options": "nosniff"}


def _read(name: str) -> bytes:
    return (resources.files(__package__) / "static" / name).read_bytes()


def page_response() -> Response:
    """The dashboard page, with its Content-Security-Policy."""
    headers = {**HEADERS, "content-security-policy": POLICY, "referrer-policy": "no-referrer"}
    return Response(_read(PAGE), media_type="text/html; charset=utf-8", headers=headers)


def asset_response(name: str) -> Response | None:
    """One of ``ASSETS``, or None for any other name."""
    if name not in ASSETS:
        return None
    suffix = name[name.rindex(".") :]
    return Response(_read(name), headers={**HEADERS, "content-type": CONTENT_TYPES[suffix]})
