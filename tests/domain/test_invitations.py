"""Domain tests: invitations for addresses without an account, and password-reset links."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cjm_workshop.models import Facilitator, Invitation, LoginSession, Role, Workshop
from cjm_workshop.models.base import utcnow
from cjm_workshop.services import accounts, invitations, sharing
from cjm_workshop.services.errors import (
    EmailTaken,
    InvitationRefused,
    ResetLinkRefused,
    ShareRefused,
)
from cjm_workshop.services.sharing import Access

WEEK = timedelta(days=7)
SECRET = "test-secret"


@pytest.fixture
def workshop(session, make):
    owner = make.facilitator("owner@example.org")
    make.facilitator("colleague@example.org")
    return session.get(Workshop, make.workshop(owner).id)


def owner_of(session, workshop) -> Facilitator:
    return session.get(Facilitator, workshop.facilitator_id)


def test_an_account_is_shared_with_an_address_without_one_is_invited(session, workshop):
    owner = owner_of(session, workshop)
    member = invitations.share_or_invite(
        session, workshop, owner, "colleague@example.org", Role.ORGANIZER, valid_for=WEEK
    )
    assert not isinstance(member, invitations.Invited)
    invited = invitations.share_or_invite(
        session, workshop, owner, " New@Example.org ", Role.CO_FACILITATOR, valid_for=WEEK
    )
    assert isinstance(invited, invitations.Invited)
    assert invited.invitation.email == "new@example.org"
    assert invited.token not in invited.invitation.token_hash  # only its hash is kept
    assert invitations.pending(session, workshop) == [invited.invitation]


def test_no_invitations_where_accounts_come_from_the_administrator(session, workshop):
    with pytest.raises(ShareRefused) as refused:
        invitations.share_or_invite(
            session,
            workshop,
            owner_of(session, workshop),
            "new@example.org",
            Role.ORGANIZER,
            valid_for=None,
        )
    assert refused.value.reason == "no_account_no_signup"
    assert invitations.pending(session, workshop) == []


def test_accepting_makes_the_account_shares_the_workshop_and_uses_the_link(session, workshop):
    owner = owner_of(session, workshop)
    invited = invitations.invite(
        session, workshop, owner, "new@example.org", Role.CO_FACILITATOR, valid_for=WEEK
    )
    invitation = invitations.open_invitation(session, invited.token)
    account = invitations.accept(session, invitation, name="Nel", password="correct horse battery")
    assert account.email == "new@example.org"
    assert sharing.access_of(session, workshop, account.id) is Access.CO_FACILITATOR
    with pytest.raises(InvitationRefused) as used:
        invitations.open_invitation(session, invited.token)
    assert (used.value.reason, used.value.status) == ("used", 410)
    assert invitations.pending(session, workshop) == []


def test_a_new_invitation_replaces_the_earlier_one(session, workshop):
    owner = owner_of(session, workshop)
    first = invitations.invite(
        session, workshop, owner, "new@example.org", Role.ORGANIZER, valid_for=WEEK
    )
    second = invitations.invite(
        session, workshop, owner, "new@example.org", Role.CO_FACILITATOR, valid_for=WEEK
    )
    with pytest.raises(InvitationRefused) as replaced:
        invitations.open_invitation(session, first.token)
    assert (replaced.value.reason, replaced.value.status) == ("unknown", 404)
    assert invitations.open_invitation(session, second.token).role is Role.CO_FACILITATOR


def test_expired_withdrawn_and_made_up_links_do_not_work(session, workshop):
    owner = owner_of(session, workshop)
    old = invitations.invite(
        session,
        workshop,
        owner,
        "old@example.org",
        Role.ORGANIZER,
        valid_for=WEEK,
        now=utcnow() - timedelta(days=8),
    )
    with pytest.raises(InvitationRefused) as expired:
        invitations.open_invitation(session, old.token)
    assert (expired.value.reason, expired.value.status) == ("expired", 410)
    assert invitations.pending(session, workshop) == []  # an expired one is not pending

    withdrawn = invitations.invite(
        session, workshop, owner, "w@example.org", Role.ORGANIZER, valid_for=WEEK
    )
    invitations.withdraw(session, withdrawn.invitation)
    for token in (withdrawn.token, "made-up", ""):
        with pytest.raises(InvitationRefused, match="unknown"):
            invitations.open_invitation(session, token)


def test_an_address_that_signed_up_meanwhile_cannot_accept(session, workshop, make):
    invited = invitations.invite(
        session,
        workshop,
        owner_of(session, workshop),
        "late@example.org",
        Role.ORGANIZER,
        valid_for=WEEK,
    )
    accounts.create_facilitator(session, email="late@example.org", name="L", password="x" * 10)
    with pytest.raises(EmailTaken):
        invitations.accept(session, invited.invitation, name="L", password="y" * 10)


def test_invitations_go_with_their_workshop(session, workshop):
    invitations.invite(
        session,
        workshop,
        owner_of(session, workshop),
        "n@example.org",
        Role.ORGANIZER,
        valid_for=WEEK,
    )
    session.delete(workshop)
    session.flush()
    assert session.query(Invitation).count() == 0


# --- password-reset links ---------------------------------------------------------------


def test_a_reset_link_sets_a_password_once_and_ends_every_log_in(session, make):
    account = session.get(Facilitator, make.facilitator("frida@example.org").id)
    accounts.start_login(session, account)
    token = accounts.reset_token(account, SECRET)
    assert accounts.account_for_reset(session, token, SECRET, 3600) is account
    accounts.set_password(session, account, "a brand new secret")
    assert session.query(LoginSession).count() == 0
    assert accounts.authenticate(session, email="frida@example.org", password="a brand new secret")
    with pytest.raises(ResetLinkRefused) as used:
        accounts.account_for_reset(session, token, SECRET, 3600)
    assert (used.value.reason, used.value.status) == ("used", 410)


def test_reset_links_that_do_not_work(session, make):
    account = session.get(Facilitator, make.facilitator("frida@example.org").id)
    token = accounts.reset_token(account, SECRET)
    with pytest.raises(ResetLinkRefused) as expired:
        accounts.account_for_reset(session, token, SECRET, -1)
    assert expired.value.reason == "expired"
    for forged in (token[:-2] + "xx", "nonsense", accounts.reset_token(account, "other-secret")):
        with pytest.raises(ResetLinkRefused) as unknown:
            accounts.account_for_reset(session, forged, SECRET, 3600)
        assert (unknown.value.reason, unknown.value.status) == ("unknown", 404)
