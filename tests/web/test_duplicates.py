"""Suggested duplicates through the web: the panel on the map page and the console (step 4),
"merge into …" and "not duplicates" as plain forms and with htmx, refusals of suggestions
that changed meanwhile, and who may act on them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cjm_workshop.extensions import db
from cjm_workshop.models import DismissedDuplicate, Note, Step, Workshop
from cjm_workshop.services import notes, steps
from tests.factories import live_events, row_counts

HX = {"HX-Request": "true"}


@pytest.fixture
def room(make, me):
    workshop = make.workshop(me)
    anna, bob = make.participant(workshop, "Anna"), make.participant(workshop, "Bob")
    ids = {
        "phone": make.note(workshop, anna, "Lange wachttijd aan de telefoon", kind="pain_point"),
        "wait": make.note(workshop, bob, "long wait on the phone", kind="pain_point"),
        "crash": make.note(workshop, anna, "<b>App</b> crasht bij betalen", kind="pain_point"),
        "crashed": make.note(workshop, bob, "app crashed tijdens betaling", kind="touchpoint"),
        "slow": make.note(workshop, bob, "App is traag bij inloggen", kind="pain_point"),
    }
    with make.app.app_context():
        steps.go_to_step(db.session, db.session.get(Workshop, workshop.id), Step.VISUALIZE)
        db.session.commit()
    return workshop, ids, anna


def panel(html: str) -> str:
    found = re.search(r'<section class="panel duplicates" id="duplicates".*?</section>', html, re.S)
    assert found, "no panel of suggested duplicates"
    return found.group(0)


def groups_in(html: str) -> list[set[int]]:
    forms = re.findall(r"<form .*?</form>", panel(html), re.S)
    return [{int(n) for n in re.findall(r'name="note" value="(\d+)"', form)} for form in forms]


def merged_into(app, note_id):
    with app.app_context():
        return db.session.get(Note, note_id).merged_into_id


def counts(app):
    with app.app_context():
        return row_counts(db.session)


def test_the_map_page_and_the_console_suggest_the_groups_escaped(client, room):
    workshop, ids, _ = room
    for url in (f"/workshops/{workshop.id}/map", f"/workshops/{workshop.id}/console"):
        page = client.get(url)
        assert page.status_code == 200
        assert "Suggested duplicates (2)" in page.text
        assert sorted(groups_in(page.text), key=min) == [
            {ids["phone"], ids["wait"]},
            {ids["crash"], ids["crashed"]},
        ]
        assert "&lt;b&gt;App&lt;/b&gt; crasht" in panel(page.text)
        assert "<b>App</b>" not in page.text
    dutch = client.get(f"/workshops/{workshop.id}/map", headers={"Accept-Language": "nl"})
    assert "Mogelijk dubbele notities (2)" in dutch.text


def test_too_many_notes_to_compare_are_said_on_map_and_console(client, room, monkeypatch):
    from cjm_workshop.services import duplicates

    workshop, _, _ = room
    monkeypatch.setattr(duplicates, "COMPARED_AT_MOST", 3)
    for url in (f"/workshops/{workshop.id}/map", f"/workshops/{workshop.id}/console"):
        shown = panel(client.get(url).text)
        assert "More than 3 notes are on the map: too many to compare" in shown
        assert groups_in(client.get(url).text) == []


def test_before_a_vote_the_console_offers_the_duplicates_voted_on(app, client, make, room):
    """A rehearsal's room voted on "lange wachttijd" and its English twin apart (2 dots
    and 0): before a vote, the console offers the pain points' duplicates, and merging
    there answers with the same panel."""
    workshop, ids, _ = room
    with app.app_context():
        steps.go_to_step(db.session, db.session.get(Workshop, workshop.id), Step.EMOTIONS)
        db.session.commit()
    console = client.get(f"/workshops/{workshop.id}/console").text
    assert groups_in(console) == [{ids["phone"], ids["wait"]}]  # not the touchpoint's pair
    assert "Merge them before the vote" in panel(console)
    answer = client.post(
        f"/workshops/{workshop.id}/map/duplicates/merge",
        data={"note": [ids["phone"], ids["wait"]], "keep": ids["wait"], "back": "console"},
        headers=HX,
    )
    assert "Suggested duplicates (0)" in panel(answer.text)
    assert groups_in(client.get(f"/workshops/{workshop.id}/map").text) == [
        {ids["crash"], ids["crashed"]}
    ]
    make.note(workshop, None, "Long waiting time on the phone", kind="pain_point")
    assert 'id="duplicates"' in client.get(f"/workshops/{workshop.id}/console").text
    make.voting_round(workshop, dots=3)  # while the room votes, the panel is gone
    assert 'id="duplicates"' not in client.get(f"/workshops/{workshop.id}/console").text
    with app.app_context():
        steps.go_to_step(db.session, db.session.get(Workshop, workshop.id), Step.RESEARCH)
        db.session.commit()
    assert 'id="duplicates"' not in client.get(f"/workshops/{workshop.id}/console").text


def test_the_maps_live_reload_brings_the_suggestions_too(client, room):
    workshop, _, _ = room
    part = client.get(f"/workshops/{workshop.id}/map?part=map", headers=HX)
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<div class="map-region" id="map"')
    assert "Suggested duplicates (2)" in panel(part.text)


def test_merge_into_the_chosen_note_without_javascript(app, client, room):
    workshop, ids, _ = room
    with app.app_context():
        before = len(live_events(db.session, workshop))
    response = client.post(
        f"/workshops/{workshop.id}/map/duplicates/merge",
        data={"note": [ids["phone"], ids["wait"]], "keep": ids["wait"], "back": "map"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/workshops/{workshop.id}/map#note-{ids['wait']}")
    assert merged_into(app, ids["phone"]) == ids["wait"]
    assert merged_into(app, ids["wait"]) is None
    with app.app_context():  # the board and the phones hear it as any merge
        assert live_events(db.session, workshop)[before:] == [("map", ids["wait"])]
    page = client.get(f"/workshops/{workshop.id}/map")
    assert "Merged 2 notes into one." in page.text
    assert groups_in(page.text) == [{ids["crash"], ids["crashed"]}]


def test_merge_with_htmx_answers_the_panel_alone(app, client, room):
    workshop, ids, _ = room
    response = client.post(
        f"/workshops/{workshop.id}/map/duplicates/merge",
        data={"note": [ids["crash"], ids["crashed"]], "keep": ids["crash"], "back": "console"},
        headers=HX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="panel duplicates" id="duplicates"')
    assert "Suggested duplicates (1)" in response.text
    assert "Merged 2 notes into one." in response.text
    assert merged_into(app, ids["crashed"]) == ids["crash"]


def test_not_duplicates_is_remembered(app, client, room):
    workshop, ids, _ = room
    response = client.post(
        f"/workshops/{workshop.id}/map/duplicates/dismiss",
        data={"note": [ids["crash"], ids["crashed"]], "back": "console"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/workshops/{workshop.id}/console")
    with app.app_context():
        rows = db.session.scalars(select(DismissedDuplicate)).all()
        assert [(r.note_id, r.other_note_id) for r in rows] == [(ids["crash"], ids["crashed"])]
    assert merged_into(app, ids["crash"]) is None  # nothing merged
    for url in (f"/workshops/{workshop.id}/map", f"/workshops/{workshop.id}/console"):
        assert groups_in(client.get(url).text) == [{ids["phone"], ids["wait"]}]
    again = client.post(
        f"/workshops/{workshop.id}/map/duplicates/dismiss",
        data={"note": [ids["phone"], ids["wait"]]},
        headers=HX,
    )
    assert again.status_code == 200
    assert "Suggested duplicates (0)" in again.text
    assert "Noted: these are not duplicates." in again.text


@pytest.mark.parametrize("action", ["merge", "dismiss"])
@pytest.mark.parametrize(
    ("change", "status", "english", "dutch"),
    [
        ("delete", 409, "has been deleted meanwhile", "is intussen verwijderd"),
        ("merge", 409, "has been merged meanwhile", "is intussen samengevoegd"),
        ("hide", 409, "has been hidden meanwhile", "is intussen van de kaart gehaald"),
        ("foreign", 422, "Only notes of this workshop", "Alleen notities van deze workshop"),
    ],
)
def test_a_suggestion_changed_meanwhile_is_refused_clearly_and_nothing_written(
    app, client, make, room, action, change, status, english, dutch
):
    workshop, ids, _ = room
    chosen = [ids["crash"], ids["crashed"]]
    with app.app_context():
        crash = db.session.get(Note, ids["crash"])
        if change == "delete":
            notes.delete_note(db.session, crash)
        elif change == "merge":
            crash.merged_into_id = ids["slow"]
        elif change == "hide":
            notes.set_hidden(db.session, crash, True)
        db.session.commit()
    if change == "foreign":
        chosen.append(make.note(make.workshop(), None, "Someone else's secret"))
    before = counts(app)
    url = f"/workshops/{workshop.id}/map/duplicates/{action}"
    data = {"note": chosen, "keep": ids["crashed"]}
    response = client.post(url, data=data)
    assert response.status_code == status
    assert english in response.text
    assert "secret" not in response.text
    nl = client.post(url, data=data, headers={"Accept-Language": "nl", **HX})
    assert nl.status_code == status
    assert dutch in nl.text
    assert nl.headers["HX-Retarget"] == "#flash"  # said where the page shows messages
    assert counts(app) == before
    assert merged_into(app, ids["crashed"]) is None


def test_a_note_unticked_is_left_out_and_the_kept_one_counts_as_ticked(app, client, room):
    """A rehearsal merged a research insight into a touchpoint because the group could only
    be merged whole: the panel ticks every note, and what is unticked is not sent."""
    workshop, ids, _ = room
    html = client.get(f"/workshops/{workshop.id}/map").text
    boxes = re.findall(r'<input type="checkbox" name="note" value="(\d+)" checked>', panel(html))
    assert {int(n) for n in boxes} == {ids["phone"], ids["wait"], ids["crash"], ids["crashed"]}
    assert panel(html).count("Different kinds of note: untick one") == 1  # crash and crashed
    response = client.post(  # "crashed" unticked; the kept "crash" itself unticked as well
        f"/workshops/{workshop.id}/map/duplicates/merge",
        data={"note": [], "keep": ids["crash"]},
    )
    assert response.status_code == 422 and "two or more notes" in response.text
    response = client.post(
        f"/workshops/{workshop.id}/map/duplicates/merge",
        data={"note": [ids["wait"]], "keep": ids["phone"]},
        headers=HX,
    )
    assert response.status_code == 200
    assert merged_into(app, ids["wait"]) == ids["phone"]
    assert merged_into(app, ids["crashed"]) is None


def test_merge_needs_a_kept_note_of_the_group(app, client, room):
    workshop, ids, _ = room
    before = counts(app)
    for keep in ("", "x"):
        response = client.post(
            f"/workshops/{workshop.id}/map/duplicates/merge",
            data={"note": [ids["crash"], ids["crashed"]], "keep": keep},
        )
        assert response.status_code == 422
        assert "Choose the note to keep." in response.text
    one = client.post(
        f"/workshops/{workshop.id}/map/duplicates/dismiss", data={"note": [ids["crash"]]}
    )
    assert one.status_code == 422 and "two or more notes" in one.text
    assert counts(app) == before


def test_others_cannot_act_on_suggestions_and_nothing_is_written(app, make, room, auth):
    workshop, ids, anna = room
    data = {"note": [ids["crash"], ids["crashed"]], "keep": ids["crash"]}
    urls = [f"/workshops/{workshop.id}/map/duplicates/{action}" for action in ("merge", "dismiss")]
    phone = app.test_client()
    phone.set_cookie(f"cjm_p_{workshop.join_code}", anna.token)
    anonymous = app.test_client()
    other = app.test_client()
    make.facilitator("other@example.org")
    other.post("/login", data={"email": "other@example.org", "password": "correct horse battery"})
    before = counts(app)
    for url in urls:
        assert phone.post(url, data=data).status_code == 403
        assert anonymous.post(url, data=data).status_code == 403
        assert other.post(url, data=data).status_code == 404
        assert "crasht" not in other.post(url, data=data).text
    assert counts(app) == before
