"""The facilitator's side: dashboard, preparing a workshop, the projector page."""

from flask import Blueprint

bp = Blueprint("workshops", __name__, url_prefix="/workshops")

# The views, registered on `bp` as they are imported.
from cjm_workshop.web.workshops import (  # noqa: E402, F401
    poster,
    results,
    routes,
    steps,
    templates,
    transfer,
    versions,
)
