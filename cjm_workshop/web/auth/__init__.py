"""Facilitator accounts: sign up, log in, log out."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

# The views, registered on `bp` as they are imported.
from cjm_workshop.web.auth import routes  # noqa: E402, F401
