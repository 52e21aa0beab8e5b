"""Domain tests: facilitator accounts."""

from __future__ import annotations

import pytest

from cjm_workshop.services import accounts
from cjm_workshop.services.errors import EmailTaken


def test_passwords_are_hashed_and_checked(session):
    facilitator = accounts.create_facilitator(
        session, email=" Frida@Example.org ", name="Frida", password="correct horse battery"
    )
    assert facilitator.email == "frida@example.org"
    assert "correct horse" not in facilitator.password_hash
    assert (
        accounts.authenticate(session, email="FRIDA@example.org", password="correct horse battery")
        is facilitator
    )
    assert accounts.authenticate(session, email="frida@example.org", password="wrong") is None
    assert accounts.authenticate(session, email="nobody@example.org", password="x") is None


def test_an_email_address_has_one_account(session):
    accounts.create_facilitator(session, email="a@example.org", name="A", password="p" * 12)
    with pytest.raises(EmailTaken):
        accounts.create_facilitator(session, email="A@EXAMPLE.org", name="B", password="p" * 12)
