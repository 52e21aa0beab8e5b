"""Running a workshop: the facilitator's console, step controls, moderation, the board."""

from flask import Blueprint

bp = Blueprint("facilitate", __name__, url_prefix="/workshops")

# The views, registered on `bp` as they are imported.
from cjm_workshop.web.facilitate import (  # noqa: E402, F401
    actions,
    arrange,
    board,
    research_import,
    routes,
    voting,
)
