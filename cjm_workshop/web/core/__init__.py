"""Pages that belong to nobody in particular: home, health, language switch."""

from flask import Blueprint

bp = Blueprint("core", __name__)

# The views, registered on `bp` as they are imported.
from cjm_workshop.web.core import routes  # noqa: E402, F401
