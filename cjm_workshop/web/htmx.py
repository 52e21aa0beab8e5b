"""The htmx protocol in one place: full page or partial, and retargeting."""

from __future__ import annotations

from flask import Response, make_response, render_template
from htmx_flask import request


def is_htmx() -> bool:
    return bool(request.htmx)


def render(template: str, partial: str | None = None, status: int = 200, **context) -> Response:
    """Render the full page, or only `partial` when htmx asks (the page includes it)."""
    chosen = partial if partial is not None and is_htmx() else template
    response = make_response(render_template(chosen, **context), status)
    response.vary.add("HX-Request")
    return response


def retarget(response: Response, target: str, swap: str = "innerHTML") -> Response:
    response.headers["HX-Retarget"] = target
    response.headers["HX-Reswap"] = swap
    return response
