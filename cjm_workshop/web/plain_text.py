"""What people send arrives as plain text: control characters are taken out of every form
field and query parameter before any view sees them.

Nobody types a NUL or a backspace character on purpose (they come from pasted binary, broken
keyboards or attacks), PostgreSQL cannot store NUL at all, and a page or PDF cannot show them.
Tab and line breaks stay (long texts have paragraphs). Also taken out: direction overrides
and isolates (pasted, they turn a note's text around on the board) and stray byte-order
marks; the marks right-to-left writing needs (U+200E, U+200F) and the joiners of emoji stay. Taking them out here, once, covers every field of every form: names, notes,
titles, stages, idempotency keys.
"""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ufeff]")


def plain(value):
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class PlainTextMultiDict(ImmutableMultiDict):
    def __init__(self, mapping=None) -> None:
        if isinstance(mapping, MultiDict):
            pairs = list(mapping.items(multi=True))
        elif isinstance(mapping, dict):
            pairs = list(mapping.items())
        else:
            pairs = list(mapping or ())
        super().__init__([(plain(key), plain(value)) for key, value in pairs])


def plain_text_requests(app: Flask) -> None:
    """The app's request class (htmx-flask's, say) with plain-text parameters."""
    app.request_class = type(
        "PlainTextRequest", (app.request_class,), {"parameter_storage_class": PlainTextMultiDict}
    )
