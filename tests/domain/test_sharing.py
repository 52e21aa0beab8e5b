"""Domain tests: sharing a workshop with co-facilitators and organizers."""

from __future__ import annotations

import pytest

from cjm_workshop.models import Role, Workshop
from cjm_workshop.services import accounts, sharing
from cjm_workshop.services.errors import ShareRefused
from cjm_workshop.services.sharing import Access


@pytest.fixture
def shared(session, make):
    owner = make.facilitator("owner@example.org")
    colleague = make.facilitator("colleague@example.org", name="Cor")
    make.facilitator("stranger@example.org")
    return session.get(Workshop, make.workshop(owner).id), owner, colleague


def test_what_each_account_may_do(session, shared):
    workshop, owner, colleague = shared
    stranger = accounts.find_by_email(session, "stranger@example.org")
    assert sharing.access_of(session, workshop, owner.id) is Access.OWNER
    assert sharing.access_of(session, workshop, colleague.id) is None
    sharing.share(session, workshop, "  Colleague@Example.org ", Role.ORGANIZER)
    assert sharing.access_of(session, workshop, colleague.id) is Access.ORGANIZER
    assert not Access.ORGANIZER.runs
    assert sharing.access_of(session, workshop, stranger.id) is None
    # Sharing again changes the role; there is still one membership.
    sharing.share(session, workshop, "colleague@example.org", Role.CO_FACILITATOR)
    assert sharing.access_of(session, workshop, colleague.id) is Access.CO_FACILITATOR
    assert Access.CO_FACILITATOR.runs
    assert [(m.account.email, m.role) for m in sharing.members(session, workshop)] == [
        ("colleague@example.org", Role.CO_FACILITATOR)
    ]
    assert sharing.shared_with(session, colleague.id) == [(workshop, Role.CO_FACILITATOR)]
    sharing.unshare(session, sharing.members(session, workshop)[0])
    assert sharing.access_of(session, workshop, colleague.id) is None


def test_sharing_with_nobody_or_oneself_is_refused(session, shared):
    workshop, _, _ = shared
    with pytest.raises(ShareRefused) as refused:
        sharing.share(session, workshop, "nobody@example.org", Role.ORGANIZER)
    assert refused.value.reason == "no_account"
    with pytest.raises(ShareRefused) as refused:
        sharing.share(session, workshop, "owner@example.org", Role.ORGANIZER)
    assert refused.value.reason == "owner"
    assert sharing.members(session, workshop) == []
