"""The journey map through the web: the facilitator's map, moves, merges, lanes, the room's
and the phones' map, refusals of bad input, and two facilitators arranging at once."""

from __future__ import annotations

import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from cjm_workshop.extensions import db
from cjm_workshop.models import Lane, LaneKind, Note, Step, Workshop
from cjm_workshop.services import steps

HX = {"HX-Request": "true"}


@pytest.fixture
def room(make, me):
    workshop = make.workshop(me, personas=2)
    anna = make.participant(workshop, "Anna")
    first, second = workshop.stage_ids[:2]
    ids = {
        "web": make.note(workshop, anna, "Finds the website", kind="touchpoint", stage=first),
        "call": make.note(workshop, anna, "Calls the practice", kind="touchpoint", stage=first),
        "mail": make.note(workshop, None, "Reads the reminder", kind="touchpoint", stage=second),
        "evil": make.note(workshop, anna, "<script>alert(1)</script>", kind="customer_action"),
    }
    return workshop, ids, anna


def place(app, note_id):
    with app.app_context():
        note = db.session.get(Note, note_id)
        return (note.stage_id, note.kind.value, note.position, note.merged_into_id)


def all_places(app):
    with app.app_context():
        return {n.id: (n.stage_id, n.kind, n.position) for n in db.session.scalars(select(Note))}


def to_visualize(app, workshop):
    with app.app_context():
        steps.go_to_step(db.session, db.session.get(Workshop, workshop.id), Step.VISUALIZE)
        db.session.commit()


def test_the_facilitators_map_shows_stages_lanes_and_notes_escaped(client, room):
    workshop, ids, _ = room
    page = client.get(f"/workshops/{workshop.id}/map")
    assert page.status_code == 200
    for heading in ("Awareness", "Consideration", "Customer actions", "Touchpoints"):
        assert heading in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    assert 'href="#icon-website"' in page.text  # the channel's icon, with its label
    assert page.text.count('class="card-pick"') == 4
    # several personas: the persona filter is offered
    assert 'name="persona"' in page.text


def test_the_arrow_buttons_move_a_note_without_javascript(app, client, room):
    workshop, ids, _ = room
    second = workshop.stage_ids[1]
    response = client.post(
        f"/workshops/{workshop.id}/notes/{ids['web']}/move", data={"to": "right"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/workshops/{workshop.id}/map#note-{ids['web']}"
    assert place(app, ids["web"]) == (second, "touchpoint", 1, None)
    assert place(app, ids["call"])[2] == 0  # the gap closed
    page = client.get(response.headers["Location"])
    assert "Moved to Consideration, Touchpoints, place 2." in page.text


def test_a_drop_answers_with_the_new_map_region(app, client, room):
    workshop, ids, _ = room
    first = workshop.stage_ids[0]
    response = client.post(
        f"/workshops/{workshop.id}/notes/{ids['mail']}/move",
        data={"to": "cell", "lane": "customer_action", "stage": first, "index": 0},
        headers=HX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div class="map-region" id="map"')
    assert "Moved to Awareness, Customer actions, place 1." in response.text
    assert place(app, ids["mail"]) == (first, "customer_action", 0, None)


@pytest.mark.parametrize(
    "form",
    [
        {"to": "cell", "lane": "touchpoint", "stage": "FOREIGN", "index": 0},
        {"to": "cell", "lane": "touchpoint", "stage": "FIRST", "index": 5},
        {"to": "cell", "lane": "touchpoint", "stage": "FIRST", "index": "first"},
        {"to": "cell", "lane": "bogus", "stage": "FIRST", "index": 0},
        {"to": "cell", "lane": "action", "stage": "FIRST", "index": 0},
        {"to": "cell", "lane": "touchpoint", "stage": "", "index": 0},
        {"to": "left"},
        {"to": "up"},
        {"to": "sideways"},
        {"to": "lane", "lane": "nonsense"},
    ],
)
def test_impossible_moves_are_refused_and_nothing_changes(app, client, make, room, form):
    workshop, ids, _ = room
    foreign = make.workshop()
    values = {"FIRST": workshop.stage_ids[0], "FOREIGN": foreign.stage_ids[0]}
    form = {k: values.get(v, v) if isinstance(v, str) else v for k, v in form.items()}
    before = all_places(app)
    response = client.post(f"/workshops/{workshop.id}/notes/{ids['web']}/move", data=form)
    assert response.status_code == 400
    assert all_places(app) == before


def test_a_refused_move_with_htmx_says_why_in_the_flash_area(client, room):
    workshop, ids, _ = room
    response = client.post(
        f"/workshops/{workshop.id}/notes/{ids['web']}/move", data={"to": "left"}, headers=HX
    )
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash"
    assert "That position does not exist." in response.text


def test_a_participant_cannot_move_merge_or_hide(app, make, room):
    workshop, ids, anna = room
    phone = app.test_client()
    phone.set_cookie(f"cjm_p_{workshop.join_code}", anna.token)
    before = all_places(app)
    for url, data in [
        (f"/workshops/{workshop.id}/notes/{ids['web']}/move", {"to": "right"}),
        (
            f"/workshops/{workshop.id}/map/merge",
            {"note": [ids["web"], ids["call"]], "keep": ids["web"]},
        ),
        (f"/workshops/{workshop.id}/notes/{ids['web']}/hide", {"hidden": "1"}),
        (f"/workshops/{workshop.id}/notes/{ids['web']}/unmerge", {}),
        (f"/workshops/{workshop.id}/map/lanes/{workshop.lane_ids[0]}", {"action": "hide"}),
    ]:
        assert phone.post(url, data=data).status_code == 403
    assert all_places(app) == before


def test_merging_from_the_selection_keeps_the_chosen_note(app, client, room):
    workshop, ids, _ = room
    chooser = client.get(f"/workshops/{workshop.id}/map/merge?note={ids['web']}&note={ids['mail']}")
    assert chooser.status_code == 200
    assert "Finds the website" in chooser.text and "Reads the reminder" in chooser.text
    response = client.post(
        f"/workshops/{workshop.id}/map/merge",
        data={"note": [ids["web"], ids["mail"]], "keep": ids["mail"]},
    )
    assert response.status_code == 303
    assert place(app, ids["web"])[3] == ids["mail"]
    page = client.get(f"/workshops/{workshop.id}/map")
    assert "Merged 2 notes into one." in page.text
    assert "1 merged" in page.text and "Undo merge" in page.text
    assert f'id="note-{ids["web"]}"' not in page.text
    undo = client.post(f"/workshops/{workshop.id}/notes/{ids['mail']}/unmerge")
    assert undo.status_code == 303
    assert place(app, ids["web"])[3] is None


@pytest.mark.parametrize(
    ("picked", "keep", "message"),
    [
        (["web"], "web", "Select two or more notes to merge."),
        (["web", "web"], "web", "Select two or more notes to merge."),
        (["web", "FOREIGN"], "web", "Only notes of this workshop can be merged."),
        (["web", "call"], "mail", "Choose the note to keep."),
    ],
)
def test_merges_that_make_no_sense_are_refused_clearly(
    app, client, make, room, picked, keep, message
):
    workshop, ids, _ = room
    foreign = make.note(make.workshop(), text="Someone else's secret")
    ids = ids | {"FOREIGN": foreign}
    before = all_places(app)
    response = client.post(
        f"/workshops/{workshop.id}/map/merge",
        data={"note": [ids[key] for key in picked], "keep": ids[keep]},
    )
    assert response.status_code == 422
    assert message in response.text
    assert "Someone else&#39;s secret" not in response.text
    assert all_places(app) == before
    if "FOREIGN" in picked:
        chooser = client.get(f"/workshops/{workshop.id}/map/merge?note={ids['web']}&note={foreign}")
        assert chooser.status_code == 422
        assert "secret" not in chooser.text


def test_a_refused_merge_speaks_dutch_to_a_dutch_facilitator(client, room):
    workshop, ids, _ = room
    response = client.post(
        f"/workshops/{workshop.id}/notes/{ids['web']}/unmerge",
        headers={"Accept-Language": "nl"},
    )
    assert response.status_code == 422
    assert "Er is niets samengevoegd in deze notitie." in response.text


def test_hiding_from_the_map_keeps_the_note_for_the_facilitator_only(app, client, room):
    workshop, ids, _ = room
    to_visualize(app, workshop)
    response = client.post(
        f"/workshops/{workshop.id}/notes/{ids['call']}/hide",
        data={"hidden": "1", "back": "map"},
        headers=HX,
    )
    assert response.status_code == 200 and 'id="map"' in response.text
    assert "Calls the practice" in client.get(f"/workshops/{workshop.id}/map").text
    board = client.get(f"/workshops/{workshop.id}/board")
    assert "Finds the website" in board.text
    assert "Calls the practice" not in board.text


def test_lanes_can_be_reordered_and_hidden(app, client, room):
    workshop, ids, _ = room
    to_visualize(app, workshop)
    customer_actions, touchpoints = workshop.lane_ids[:2]
    url = f"/workshops/{workshop.id}/map/lanes/{touchpoints}"
    assert client.post(url, data={"action": "up"}).status_code == 303
    assert client.post(url, data={"action": "up"}).status_code == 400  # already first
    assert client.post(url, data={"action": "fly"}).status_code == 400
    hide = client.post(
        f"/workshops/{workshop.id}/map/lanes/{customer_actions}",
        data={"action": "hide"},
        headers=HX,
    )
    assert hide.status_code == 200 and "Hidden lanes:" in hide.text
    with app.app_context():
        lanes = db.session.scalars(
            select(Lane).where(Lane.workshop_id == workshop.id).order_by(Lane.position)
        ).all()
        assert [(lane.kind, lane.hidden) for lane in lanes][:2] == [
            (LaneKind.TOUCHPOINT, False),
            (LaneKind.CUSTOMER_ACTION, True),
        ]
    board = client.get(f"/workshops/{workshop.id}/board").text
    assert "Touchpoints" in board and "Customer actions" not in board
    assert "alert(1)" not in board  # its note is in the hidden lane


def test_the_board_and_phones_show_the_map_in_the_visualize_step(app, client, room):
    workshop, ids, anna = room
    assert "journey-map" not in client.get(f"/workshops/{workshop.id}/board").text
    to_visualize(app, workshop)
    board = client.get(f"/workshops/{workshop.id}/board").text
    assert 'class="journey-map journey-map-map"' in board
    assert "card-pick" not in board  # read-only
    phone = app.test_client()
    phone.set_cookie(f"cjm_p_{workshop.join_code}", anna.token)
    page = phone.get(f"/w/{workshop.join_code}").text
    assert page.count('class="stage-page"') == 5  # a page per stage
    assert "Finds the website" in page and "&lt;script&gt;" in page
    region = phone.get(f"/w/{workshop.join_code}/map", headers=HX)
    assert region.status_code == 200
    assert region.text.lstrip().startswith('<div class="map-region phone-map" id="map"')


def test_the_persona_filter_shows_that_personas_and_shared_notes(app, client, make, me):
    workshop = make.workshop(me, personas=2)
    fatima, other = workshop.persona_ids
    make.note(workshop, text="Only Fatima", kind="touchpoint", persona=fatima)
    make.note(workshop, text="Only the other", kind="touchpoint", persona=other)
    make.note(workshop, text="Shared by both", kind="touchpoint")
    page = client.get(f"/workshops/{workshop.id}/map?persona={fatima}").text
    assert "Only Fatima" in page and "Shared by both" in page
    assert "Only the other" not in page
    assert "Only the other" in client.get(f"/workshops/{workshop.id}/map?persona=999").text


def test_an_anonymous_workshop_shows_no_authors_to_the_room(app, client, make, me):
    workshop = make.workshop(me, anonymous=True)
    make.note(workshop, make.participant(workshop, "Secret Sam"), "A touchpoint", kind="touchpoint")
    to_visualize(app, workshop)
    assert "Secret Sam" in client.get(f"/workshops/{workshop.id}/map").text
    assert "Secret Sam" not in client.get(f"/workshops/{workshop.id}/board").text


def test_editing_in_place_from_the_map(app, client, room):
    workshop, ids, _ = room
    url = f"/workshops/{workshop.id}/notes/{ids['web']}/edit?back=map"
    form = client.get(url, headers=HX)
    assert form.status_code == 200 and form.headers["HX-Retarget"] == f"#note-{ids['web']}"
    key = re.search(r'name="touchpoint-idempotency_key" type="hidden" value="([^"]+)"', form.text)
    data = {
        "touchpoint-text": "Finds the practice's website",
        "touchpoint-stage_id": workshop.stage_ids[0],
        "touchpoint-channel": "website",
        "touchpoint-idempotency_key": key.group(1),
    }
    saved = client.post(url, data=data, headers=HX)
    assert saved.status_code == 200 and "Finds the practice&#39;s website" in saved.text
    refused = client.post(url, data=data | {"touchpoint-text": " "}, headers=HX)
    assert refused.status_code == 422 and refused.headers["HX-Retarget"] == f"#note-{ids['web']}"
    assert place(app, ids["web"])[:2] == (workshop.stage_ids[0], "touchpoint")


def test_two_facilitators_moving_notes_at_once_keep_every_cell_in_order(app, make, me, auth):
    """Two laptops of the same facilitator move notes back and forth at the same moment."""
    workshop = make.workshop(me)
    first, second = workshop.stage_ids[:2]
    ids = [
        make.note(workshop, text=f"Touchpoint {n}", kind="touchpoint", stage=first)
        for n in range(8)
    ]

    def laptop():
        client = app.test_client()
        client.post("/login", data={"email": "me@example.org", "password": "correct horse battery"})
        return client

    laptops = [laptop(), laptop()]

    def move(number: int) -> int:
        note = ids[number % len(ids)]
        form = {"to": "cell", "lane": "touchpoint", "stage": second if number % 2 else first}
        form["index"] = 0
        return (
            laptops[number % 2]
            .post(f"/workshops/{workshop.id}/notes/{note}/move", data=form)
            .status_code
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(move, range(40)))
    assert set(statuses) <= {303, 400}  # 400: a place that no longer existed
    cells = defaultdict(list)
    with app.app_context():
        for note in db.session.scalars(select(Note).where(Note.workshop_id == workshop.id)):
            cells[(note.stage_id, note.kind)].append(note.position)
    assert sum(len(positions) for positions in cells.values()) == 8
    for positions in cells.values():
        assert sorted(positions) == list(range(len(positions)))


def test_map_changes_need_the_csrf_token_also_from_htmx(app, client, room, monkeypatch):
    workshop, ids, _ = room
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # after logging in
    page = client.get(f"/workshops/{workshop.id}/map").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    url = f"/workshops/{workshop.id}/notes/{ids['web']}/move"
    before = all_places(app)
    assert client.post(url, data={"to": "right"}, headers=HX).status_code == 400
    assert all_places(app) == before
    moved = client.post(url, data={"to": "right"}, headers=HX | {"X-CSRFToken": token})
    assert moved.status_code == 200
    assert place(app, ids["web"])[0] == workshop.stage_ids[1]


def test_actions_stand_in_the_stage_of_the_note_they_came_from(client, make, me):
    workshop = make.workshop(me)
    pain = make.note(workshop, None, "On hold", kind="pain_point", stage=workshop.stage_ids[2])
    make.action(workshop, "Add a call-back button", source=pain)
    make.action(workshop, "Ask the receptionists")  # from nowhere: no stage yet
    page = client.get(f"/workshops/{workshop.id}/results").text
    assert "Actions with owners are agreed in step 6." not in page
    lane = page.split('class="map-lane lane-action"')[1].split("</tr>")[0]
    cells = lane.split('<td class="map-cell')[1:]
    assert "Add a call-back button" in cells[2]  # the third stage
    assert "Ask the receptionists" in cells[-1] and "map-cell-none" in cells[-1]


def test_a_pain_point_links_to_the_rooms_touchpoints_in_map_order(app, client, make, me):

    workshop = make.workshop(me)
    later = make.note(
        workshop, None, "Pays at the desk", kind="touchpoint", stage=workshop.stage_ids[3]
    )
    first = make.note(
        workshop, None, "Finds the site", kind="touchpoint", stage=workshop.stage_ids[0]
    )
    twin = make.note(
        workshop, None, "Finds the website", kind="touchpoint", stage=workshop.stage_ids[0]
    )
    with app.app_context():
        db.session.get(Note, twin).merged_into_id = first  # merged away on the map
        db.session.commit()
    make.step(workshop, "emotions")
    page = client.get(f"/workshops/{workshop.id}/console").text
    options = re.findall(
        r'<option data-stage="(\d+)" value="(\d+)">',
        page.split('name="pain_point-touchpoint_id"')[1].split("</select>")[0],
    )
    stages = workshop.stage_ids
    assert options == [(str(stages[0]), str(first)), (str(stages[3]), str(later))]  # and stage


def test_a_long_note_in_a_list_to_choose_from_ends_in_an_ellipsis(client, make, me):
    workshop = make.workshop(me)
    text = "Calls the practice because the website shows no free slots for the next weeks"
    make.note(workshop, None, text, kind="touchpoint", stage=workshop.stage_ids[0])
    make.step(workshop, "emotions")
    page = client.get(f"/workshops/{workshop.id}/console").text
    assert f">{text[:59].rstrip()}…</option>" in page


def test_a_phone_offers_no_edit_of_its_note_merged_into_another(app, make, me):
    """A rehearsal's participant still had "Edit" on a note merged away on the map: an edit
    there changes nothing anyone sees. Taking it back (delete) stays."""
    workshop = make.workshop(me)
    anna = make.participant(workshop, "Anna")
    kept = make.note(workshop, None, "Long wait on the phone", stage=workshop.stage_ids[0])
    mine = make.note(workshop, anna, "Lang wachten aan de telefoon", stage=workshop.stage_ids[0])
    own = make.note(workshop, anna, "Kan niet online betalen", stage=workshop.stage_ids[1])
    with app.app_context():
        db.session.get(Note, mine).merged_into_id = kept
        db.session.commit()
    phone = app.test_client()
    phone.set_cookie(f"cjm_p_{workshop.join_code}", anna.token)
    page = phone.get(f"/w/{workshop.join_code}").text
    assert f"/notes/{own}/edit" in page and f"/notes/{own}/delete" in page
    assert f"/notes/{mine}/edit" not in page and f"/notes/{mine}/delete" in page


def test_each_note_is_marked_up_in_its_own_language(client, make, me):
    """A mixed room: in an English workshop a Dutch note is read out (and hyphenated) in
    Dutch, on the board as on every page that shows it."""
    workshop = make.workshop(me, language="en")
    dutch = make.note(workshop, None, "Betaalpagina loopt af voordat je klaar bent")
    english = make.note(workshop, None, "Payment page times out before you finish")
    page = client.get(f"/workshops/{workshop.id}/board").text
    marked = dict(re.findall(r'id="text-(\d+)" lang="(\w+)"', page))
    assert marked == {str(dutch): "nl", str(english): "en"}
