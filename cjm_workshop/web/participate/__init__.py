"""The participant's side: joining from a phone and the workshop brief."""

from flask import Blueprint

bp = Blueprint("participate", __name__)

# The views, registered on `bp` as they are imported.
from cjm_workshop.web.participate import board, routes, taps  # noqa: E402, F401
