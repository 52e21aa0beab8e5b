"""Every refusal the services can raise has its own message, in English and Dutch, and a
status that is not a server error: none falls back to a text that claims something was
logged. Walks every class under DomainError, so a new one without a message fails here."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from cjm_workshop.services import errors as domain
from cjm_workshop.web.errors import DOMAIN_MESSAGES, NOT_POSSIBLE, REASON_MESSAGES, domain_message


def _every(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_every(sub)]
    return found


REFUSALS = [cls for cls in _every(domain.DomainError) if cls is not domain.Refused]


def _reasons_raised(cls: type) -> set[str]:
    """The reasons the services raise `cls` with (literal ones, read from the source)."""
    from pathlib import Path

    source = "\n".join(p.read_text() for p in Path("cjm_workshop/services").glob("*.py"))
    literal = re.findall(rf'{cls.__name__}\(\s*"([a-z_]+)"', source)
    return set(literal)


@pytest.mark.parametrize("cls", REFUSALS, ids=lambda cls: cls.__name__)
def test_every_refusal_has_a_message_in_both_languages(app, cls):
    assert 400 <= cls.status < 500, "a refusal is the visitor's to fix, not a server error"
    if issubclass(cls, domain.Refused):
        messages = REASON_MESSAGES.get(cls)
        assert messages, f"{cls.__name__} has no messages for its reasons"
        assert _reasons_raised(cls) <= set(messages), "a reason raised without a message"
        samples = [cls(reason) for reason in messages]
    else:
        assert cls in DOMAIN_MESSAGES, f"{cls.__name__} has no message"
        samples = [cls()]
    with app.test_request_context():
        for error in samples:
            with force_locale("en"):
                english = domain_message(error)
            with force_locale("nl"):
                dutch = domain_message(error)
            assert english and english != str(NOT_POSSIBLE)
            assert "logged" not in english
            assert dutch and dutch != english, f"{cls.__name__}: no Dutch message"
