"""50 phones tap "+" 20 times each, all at once, against a real server, with a budget of 5:
every participant ends with exactly 5 dots, no request fails with a 500, and the counts on
the notes equal a recount of the dots (on SQLite and on PostgreSQL: the suite runs twice)."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from cjm_workshop.extensions import db
from cjm_workshop.models import Dot, DotBudget, VotingRound
from cjm_workshop.services import voting
from tests.live.servers import AppServer, Browser

pytestmark = pytest.mark.live

PEOPLE, TAPS, BUDGET = 50, 20, 5


@pytest.fixture
def server(database_url):
    running = AppServer(database_url, workers=2, threads=16)
    yield running
    running.stop()


def test_fifty_phones_tapping_at_once_never_exceed_their_budget(server, make, app):
    workshop = make.workshop()
    pains = [make.note(workshop, None, f"Pain {n}", kind="pain_point") for n in range(8)]
    people = [make.participant(workshop, f"Person {n}") for n in range(PEOPLE)]
    round_id = make.voting_round(workshop, dots=BUDGET, several_per_note=True)

    phones = []
    for person in people:
        phone = Browser(server.url)
        phone.set_cookie(f"cjm_p_{workshop.join_code}", person.token)
        phone.get(f"/w/{workshop.join_code}")  # a session and its CSRF token
        phones.append(phone)

    taps = [(phone, random.choice(pains)) for phone in phones for _ in range(TAPS)]
    random.shuffle(taps)

    def tap(job) -> int:
        phone, note = job
        status, _ = phone.post(
            f"/w/{workshop.join_code}/dots",
            {"note_id": note, "action": "add", "tap_key": uuid.uuid4().hex},
            headers={"HX-Request": "true"},
        )
        return status

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = Counter(pool.map(tap, taps))

    assert statuses[500] == 0
    assert set(statuses) <= {200, 409}, statuses
    assert statuses[200] == PEOPLE * BUDGET
    with app.app_context():
        chosen = db.session.get(VotingRound, round_id)
        per_person = voting.dots_by_participant(db.session, chosen)
        assert sorted(per_person.values()) == [BUDGET] * PEOPLE
        left = db.session.scalars(select(DotBudget.dots_left).where(DotBudget.round_id == round_id))
        assert set(left) == {0}
        recount = Counter(db.session.scalars(select(Dot.note_id).where(Dot.round_id == round_id)))
        assert voting.tally(db.session, chosen) == dict(recount)
        assert sum(recount.values()) == PEOPLE * BUDGET
