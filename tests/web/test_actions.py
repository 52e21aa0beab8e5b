"""Step 6 through the web: actions from the console, the matrix on console and board, top
pain points and opportunities on phones, status updates by organizers."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from cjm_workshop.extensions import db
from cjm_workshop.models import (
    ActionItem,
    ActionStatus,
    Level,
    Note,
    NoteKind,
    VotingRound,
    Workshop,
    WorkshopStatus,
)
from cjm_workshop.services import journey_map, voting, workshops


@pytest.fixture
def room(app, make, me):
    """The actions step after a revealed round: "Long queue" got 2 dots, "No parking" 1."""
    workshop = make.workshop(me)
    anna, bob = make.participant(workshop, "Anna"), make.participant(workshop, "Bob")
    queue = make.note(workshop, None, "Long queue", kind="pain_point")
    parking = make.note(workshop, None, "No parking", kind="pain_point")
    make.note(workshop, None, "Nobody cares", kind="pain_point")
    round_id = make.voting_round(workshop, dots=2)
    with app.app_context():
        for person, note in ((anna, queue), (bob, queue), (anna, parking)):
            ballot = voting.ballot_for(
                db.session, workshop.id, person.id, note, f"{person.id}{note}"
            )
            voting.vote(db.session, ballot)
        chosen = db.session.get(VotingRound, round_id)
        voting.reveal(db.session, db.session.get(Workshop, workshop.id), chosen)
        db.session.commit()
    idea = make.note(workshop, anna, "A ticket machine", kind="opportunity")
    phone = app.test_client()
    phone.set_cookie(f"cjm_p_{workshop.join_code}", anna.token)
    return workshop, {"queue": queue, "parking": parking, "idea": idea}, phone


FORM = {
    "title": "Install a ticket machine",
    "owner": "Sanne (facilities)",
    "next_step": "Ask three suppliers for a quote",
    "due_date": "2027-01-31",
    "impact": "high",
    "effort": "low",
    "status": "open",
}


def stored(app) -> list[ActionItem]:
    with app.app_context():
        found = db.session.scalars(select(ActionItem).order_by(ActionItem.id)).all()
        db.session.expunge_all()
        return found


def test_the_facilitator_turns_an_opportunity_into_an_action(app, client, room):
    workshop, notes, _ = room
    answer = client.post(
        f"/workshops/{workshop.id}/actions", data=FORM | {"source_id": notes["idea"]}
    )
    assert answer.status_code == 303
    [action] = stored(app)
    assert (action.title, action.owner, action.next_step, action.due_date) == (
        "Install a ticket machine",
        "Sanne (facilities)",
        "Ask three suppliers for a quote",
        date(2027, 1, 31),
    )
    assert (action.impact, action.effort, action.source_id) == (
        Level.HIGH,
        Level.LOW,
        notes["idea"],
    )
    console = client.get(f"/workshops/{workshop.id}/console").text
    quick_wins = console.split('id="q-quick_win"')[1].split("</section>")[0]
    assert "Install a ticket machine" in quick_wins and "Sanne (facilities)" in quick_wins
    # The pain points by dots, most first, are what actions and opportunities answer.
    assert console.index("Long queue (2 •)") < console.index("No parking (1 •)")


@pytest.mark.parametrize(
    ("change", "language", "message"),
    [
        ({"title": ""}, "en", "This field is required."),
        ({"owner": "  "}, "en", "This field is required."),
        ({"owner": "x" * 81}, "en", "Use between 1 and 80 characters."),
        ({"title": "x" * 201}, "nl", "Gebruik tussen 1 en 200 tekens."),
        ({"next_step": "x" * 281}, "en", "Use at most 280 characters."),
        ({"due_date": "31-01-2027"}, "en", "Not a valid date value."),
        ({"due_date": "morgen"}, "nl", "Ongeldige datum."),
        ({"source_id": "999999"}, "en", "Choose an opportunity or a pain point of this workshop."),
        ({"impact": "huge"}, "en", "Not a valid choice."),
        ({"stage_id": "999999"}, "nl", "Kies een fase van deze workshop."),
    ],
)
def test_bad_action_input_is_refused_with_a_message(app, client, room, change, language, message):
    workshop = room[0]
    answer = client.post(
        f"/workshops/{workshop.id}/actions",
        data=FORM | change,
        headers={"Accept-Language": language},
    )
    assert answer.status_code == 422
    assert message in answer.text
    assert stored(app) == []


def test_the_matrix_buttons_and_a_drop_move_an_action(app, client, make, room):
    workshop = room[0]
    action_id = make.action(workshop, impact=Level.LOW, effort=Level.LOW)
    url = f"/workshops/{workshop.id}/actions/{action_id}/place"
    assert client.post(url, data={"axis": "impact", "by": 1}).status_code == 303
    assert (stored(app)[0].impact, stored(app)[0].effort) == (Level.MEDIUM, Level.LOW)
    answer = client.post(url, data={"quadrant": "money_pit"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200  # the console part, the action in its new quadrant
    assert answer.text.lstrip().startswith('<div class="live-part"')
    money_pit = answer.text.split('id="q-money_pit"')[1].split("</section>")[0]
    assert f'id="action-{action_id}"' in money_pit
    assert (stored(app)[0].impact, stored(app)[0].effort) == (Level.LOW, Level.MEDIUM)
    assert client.post(url, data={"quadrant": "nowhere"}).status_code == 400
    assert client.post(url, data={"axis": "colour", "by": 1}).status_code == 422


def test_the_board_shows_the_matrix_and_phones_the_top_pain_points(app, client, make, room):
    workshop, notes, phone = room
    make.action(workshop, "Open a second desk", impact=Level.HIGH, effort=Level.HIGH)
    board = client.get(f"/workshops/{workshop.id}/board").text
    big_bets = board.split('id="q-big_bet"')[1].split("</section>")[0]
    assert "Open a second desk" in big_bets
    page = phone.get(f"/w/{workshop.join_code}").text
    top = page.split('id="top-pains-h"')[1].split("</section>")[0]
    assert top.index("Long queue") < top.index("No parking")
    assert "Nobody cares" not in top  # no dots
    # The opportunity form offers the pain points with most dots first.
    form = page.split('name="opportunity-pain_point_id"')[1].split("</select>")[0]
    assert form.index("Long queue") < form.index("No parking") < form.index("Nobody cares")
    answer = phone.post(
        f"/w/{workshop.join_code}/notes/opportunity",
        data={
            "opportunity-text": "Online queue numbers",
            "opportunity-pain_point_id": notes["queue"],
        },
    )
    assert answer.status_code == 303
    with app.app_context():
        saved = db.session.scalar(select(Note).where(Note.text == "Online queue numbers"))
        assert (saved.kind, saved.pain_point_id) == (NoteKind.OPPORTUNITY, notes["queue"])


def test_an_organizer_updates_the_status_after_the_workshop_closed(app, client, auth, make, room):
    workshop = room[0]
    action_id = make.action(workshop)
    make.member(workshop, make.facilitator("org@example.org"), "organizer")
    with app.app_context():
        workshops.change_status(
            db.session, db.session.get(Workshop, workshop.id), WorkshopStatus.CLOSED
        )
        db.session.commit()
    auth.logout()
    auth.login("org@example.org")
    url = f"/workshops/{workshop.id}/actions/{action_id}/status"
    assert client.post(url, data={"status": "done"}).status_code == 303
    assert stored(app)[0].status is ActionStatus.DONE
    assert client.post(url, data={"status": "finished"}).status_code == 400
    results = client.get(f"/workshops/{workshop.id}/results").text
    assert "Add a call-back button" in results
    # Organizers cannot change the action itself, nor add one.
    edit = f"/workshops/{workshop.id}/actions/{action_id}/edit"
    assert client.post(edit, data=FORM).status_code == 403
    assert client.post(f"/workshops/{workshop.id}/actions", data=FORM).status_code == 403


def test_a_dot_voting_round_on_opportunities(app, client, make, room):
    workshop, notes, phone = room
    second = make.note(workshop, None, "Online queue numbers", kind="opportunity")
    answer = client.post(
        f"/workshops/{workshop.id}/rounds", data={"kind": "opportunity", "dots": "1"}
    )
    assert answer.status_code == 303
    console = client.get(f"/workshops/{workshop.id}/console").text
    assert "Dot voting on opportunities" in console
    page = phone.get(f"/w/{workshop.join_code}").text
    panel = page.split('id="vote"')[1].split("</section>")[0]
    assert "Dot voting: which opportunities are worth it?" in panel
    assert "Online queue numbers" in panel and "Long queue" not in panel
    key = re.search(
        rf'name="note_id" value="{second}">\s*<input type="hidden" name="tap_key" value="([^"]+)"',
        panel,
    )
    tap = phone.post(
        f"/w/{workshop.join_code}/dots",
        data={"note_id": second, "action": "add", "tap_key": key.group(1)},
        headers={"HX-Request": "true"},
    )
    assert tap.status_code == 200
    assert "No dots left" in tap.text
    with app.app_context():
        chosen = voting.latest_round(
            db.session, db.session.get(Workshop, workshop.id), NoteKind.OPPORTUNITY
        )
        round_id = chosen.id
        assert voting.tally(db.session, chosen) == {second: 1}
    client.post(f"/workshops/{workshop.id}/rounds/{round_id}", data={"action": "reveal"})
    board = client.get(f"/workshops/{workshop.id}/board").text
    ranking = board.split('id="ranking-h"')[1].split("</section>")[0]
    assert "Opportunities by dots" in ranking
    assert ranking.index("Online queue numbers") < ranking.index("A ticket machine")


def test_a_closed_workshop_is_read_only_for_phones_and_stays_readable(
    app, client, auth, make, room
):
    workshop, notes, phone = room
    make.action(workshop, "Open a second desk")
    make.member(workshop, make.facilitator("org@example.org"), "organizer")
    client.post(f"/workshops/{workshop.id}/rounds", data={"kind": "opportunity", "dots": "2"})
    page = phone.get(f"/w/{workshop.join_code}").text
    key = re.search(r'name="tap_key" value="([^"]+)"', page).group(1)
    assert (
        client.post(f"/workshops/{workshop.id}/status", data={"target": "closed"}).status_code
        == 302
    )

    page = phone.get(f"/w/{workshop.join_code}").text
    assert "This workshop is closed." in page
    assert 'id="vote"' not in page  # the round closed with the workshop
    tap = phone.post(
        f"/w/{workshop.join_code}/dots",
        data={"note_id": notes["idea"], "action": "add", "tap_key": key},
        headers={"HX-Request": "true"},
    )
    assert tap.status_code == 409
    note = phone.post(
        f"/w/{workshop.join_code}/notes/opportunity",
        data={"opportunity-text": "One more idea"},
    )
    assert note.status_code in (403, 409)
    with app.app_context():
        assert db.session.scalar(select(Note).where(Note.text == "One more idea")) is None
    # The facilitator and organizers still see the map, the ranking and the actions.
    for who in ("me@example.org", "org@example.org"):
        auth.logout()
        auth.login(who)
        results = client.get(f"/workshops/{workshop.id}/results").text
        assert "Open a second desk" in results and "Long queue" in results
        big_bets = results.split('id="q-big_bet"')[1].split("</section>")[0]  # medium/medium
        assert "Open a second desk" in big_bets and "More impact" not in big_bets
    auth.logout()
    auth.login("me@example.org")
    assert (
        client.post(f"/workshops/{workshop.id}/status", data={"target": "live"}).status_code == 302
    )
    assert "This workshop has been closed." not in phone.get(f"/w/{workshop.join_code}").text


def test_organizers_never_see_who_wrote_anonymous_notes(app, client, auth, make):
    owner = make.facilitator("owner@example.org")
    workshop = make.workshop(owner, anonymous=True)
    anna = make.participant(workshop, "Annabel")
    make.note(workshop, anna, "Slow website", kind="touchpoint", stage=workshop.stage_ids[0])
    make.member(workshop, make.facilitator("org@example.org"), "organizer")
    auth.login("org@example.org")
    results = client.get(f"/workshops/{workshop.id}/results").text
    assert "Slow website" in results and "Annabel" not in results


def test_editing_an_action_can_change_what_it_answers(app, client, make, room):
    workshop, notes, _ = room
    action_id = make.action(workshop, source=notes["idea"])
    foreign = make.note(make.workshop(), None, "Elsewhere", kind="opportunity")
    url = f"/workshops/{workshop.id}/actions/{action_id}/edit"
    page = client.get(url).text
    assert 'value="Add a call-back button"' in page and "Sanne" in page
    answer = client.post(url, data=FORM | {"source_id": foreign})
    assert answer.status_code == 422
    assert "Choose an opportunity or a pain point of this workshop." in answer.text
    assert stored(app)[0].source_id == notes["idea"]
    assert client.post(url, data=FORM | {"source_id": notes["queue"]}).status_code == 303
    assert (stored(app)[0].title, stored(app)[0].source_id) == (
        "Install a ticket machine",
        notes["queue"],
    )


def test_an_action_that_answers_no_note_stands_in_the_stage_given(app, client, room):
    """Actions agreed without an answered note all stood in a "No stage yet" column, on
    the map and a sixth of the poster, and the form had no way to place them."""
    workshop, notes, _ = room
    stages = workshop.stage_ids
    assert 'name="stage_id"' in client.get(f"/workshops/{workshop.id}/console").text
    client.post(f"/workshops/{workshop.id}/actions", data=FORM | {"stage_id": stages[2]})
    [action] = stored(app)
    assert action.stage_id == stages[2]
    with app.app_context():
        journey = journey_map.load_map(db.session, db.session.get(Workshop, workshop.id), room=True)
        assert [a.title for a in journey.actions_in(stages[2])] == ["Install a ticket machine"]
        assert journey.actions_in(None) == []
    # Given a stage, it stands there even when the note it answers stands elsewhere;
    # without one, it follows that note (the first stage: the factory's pain points).
    url = f"/workshops/{workshop.id}/actions/{action.id}/edit"
    assert f'<option selected value="{stages[2]}">' in client.get(url).text
    client.post(url, data=FORM | {"source_id": notes["queue"], "stage_id": stages[3]})
    client.post(url, data=FORM | {"source_id": notes["queue"], "stage_id": ""})
    with app.app_context():
        journey = journey_map.load_map(db.session, db.session.get(Workshop, workshop.id), room=True)
        assert [a.title for a in journey.actions_in(stages[0])] == ["Install a ticket machine"]


def test_a_phone_chooses_an_opportunitys_stage(make):
    workshop = make.workshop()
    anna = make.participant(workshop)
    make.step(workshop, "actions")
    page = make.phone(workshop, anna).get(f"/w/{workshop.join_code}").text
    assert 'name="opportunity-stage_id"' in page


def test_phones_console_and_board_start_step_6_from_the_top_five_ties_included(
    app, client, make, me
):
    """Phones took the first five pain points with dots, so a note tied with the fifth was
    left out of step 6 while the board and the poster counted it in the top five."""
    workshop = make.workshop(me)
    pains = [make.note(workshop, None, f"Pain {n}", kind="pain_point") for n in range(8)]
    counts = (5, 4, 3, 2, 1, 1, 1, 0)  # places 1 2 3 4 5 5 5 and none
    placed = [pain for pain, n in zip(pains, counts, strict=True) for _ in range(n)]
    people = make.participants(workshop, 4)
    make.dots(
        workshop, {person.id: placed[at * 5 : at * 5 + 5] for at, person in enumerate(people)}
    )
    make.step(workshop, "actions")
    phone = app.test_client()
    phone.set_cookie(f"cjm_p_{workshop.join_code}", people[0].token)
    page = phone.get(f"/w/{workshop.join_code}").text
    top = page.split('id="top-pains-h"')[1].split("</section>")[0]
    assert re.findall(r"Pain \d", top) == [f"Pain {n}" for n in range(7)]
    console = client.get(f"/workshops/{workshop.id}/console").text
    hint = console.split("Top pain points:")[1].split("</p>")[0]
    assert re.findall(r"Pain \d", hint) == [f"Pain {n}" for n in range(7)]
    # The board asks the room about "the top pain points": it shows them too.
    board = client.get(f"/workshops/{workshop.id}/board").text
    side = board.split('class="board-fit board-top-pains"')[1].split("</section>")[0]
    assert re.findall(r"Pain \d", side) == [f"Pain {n}" for n in range(7)]
