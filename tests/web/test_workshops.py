"""Preparing a workshop through the web: create, edit, delete, personas, stages, status."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cjm_workshop.extensions import db
from cjm_workshop.models import Persona, Stage, Workshop, WorkshopStatus
from cjm_workshop.poster import layout, render

HX = {"HX-Request": "true"}

NEW = {
    "title": "Booking a dentist appointment",
    "journey": "A patient books a first appointment online.",
    "goal": "30% fewer phone calls.",
    "language": "en",
    "dots_per_participant": "5",
    "stage_template": "aida",
    "custom_stages": "",
    "persona-name": "Fatima",
    "persona-description": "Busy parent",
    "persona-goals": "",
    "persona-frustrations": "",
}


@pytest.fixture
def workshop(make, me):
    return make.workshop(me, template="stdc")


def load(app, workshop_id: int) -> Workshop | None:
    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        if workshop is not None:
            # Read everything a test wants before the session goes away.
            _ = [s.name for s in workshop.stages], [p.name for p in workshop.personas]
            db.session.expunge_all()
        return workshop


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_create_a_workshop(client, app, me):
    response = client.post("/workshops/new", data=NEW)
    assert response.status_code == 302
    workshop_id = int(response.headers["Location"].rsplit("/", 1)[1])
    workshop = load(app, workshop_id)
    assert workshop.title == NEW["title"]
    assert [s.name for s in workshop.stages] == ["Attention", "Interest", "Desire", "Action"]
    assert [p.name for p in workshop.personas] == ["Fatima"]
    page = client.get(f"/workshops/{workshop_id}").text
    assert "Workshop created." in page
    assert workshop.join_code[:4] in page
    dashboard = client.get("/workshops/").text
    assert NEW["title"] in dashboard
    assert "Draft" in dashboard


def test_a_new_workshop_starts_in_the_facilitators_language(client, me):
    page = client.get("/workshops/new", headers={"Accept-Language": "nl"}).text
    assert '<option selected value="nl">' in page


def test_create_with_custom_stages_in_dutch(client, app, me):
    data = NEW | {
        "stage_template": "custom",
        "custom_stages": "Zoeken\n\nBoeken\r\n Bezoeken ",
        "language": "nl",
    }
    response = client.post("/workshops/new", data=data)
    workshop = load(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert [s.name for s in workshop.stages] == ["Zoeken", "Boeken", "Bezoeken"]
    assert workshop.language == "nl"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "   \t "}, "This field is required."),
        ({"goal": "x" * 10_000}, "Use between 1 and 300 characters."),
        ({"journey": "x" * 301}, "Use between 1 and 300 characters."),
        ({"dots_per_participant": "0"}, "Choose between 1 and 20 dots."),
        ({"dots_per_participant": "many"}, "Not a valid integer value."),
        ({"language": "fr"}, "Not a valid choice"),
        ({"stage_template": "custom", "custom_stages": " \n "}, "Enter at least one stage"),
        ({"stage_template": "custom", "custom_stages": "x" * 41}, "at most 40 characters"),
        ({"stage_template": "nonsense"}, "Not a valid choice"),
        ({"persona-name": " "}, "This field is required."),
        ({"persona-goals": "x" * 10_000}, "Use at most 1000 characters."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    client, app, me, change, message
):
    response = client.post("/workshops/new", data=NEW | change)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert count(app, Workshop) == 0
    assert count(app, Stage) == 0
    assert count(app, Persona) == 0


def test_html_in_titles_and_personas_is_stored_verbatim_and_shown_escaped(client, app, me):
    nasty = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.post("/workshops/new", data=NEW | {"title": nasty, "persona-name": nasty})
    workshop_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert load(app, workshop_id).title == nasty
    for url in (f"/workshops/{workshop_id}", "/workshops/", f"/workshops/{workshop_id}/board"):
        page = client.get(url).text
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;" in page


def test_edit_the_brief(client, app, workshop):
    data = {k: NEW[k] for k in ("journey", "goal", "language")} | {
        "title": "New title",
        "dots_per_participant": "3",
    }
    response = client.post(f"/workshops/{workshop.id}/edit", data=data | {"anonymous": "y"})
    assert response.status_code == 302
    stored = load(app, workshop.id)
    assert (stored.title, stored.dots_per_participant, stored.anonymous) == ("New title", 3, True)
    response = client.post(f"/workshops/{workshop.id}/edit", data=data | {"title": ""})
    assert response.status_code == 422
    assert load(app, workshop.id).title == "New title"


def test_delete_asks_first_then_removes_everything(client, app, make, workshop):
    make.participant(workshop)
    page = client.get(f"/workshops/{workshop.id}/delete")
    assert "removed for good" in page.text
    assert load(app, workshop.id) is not None
    response = client.post(f"/workshops/{workshop.id}/delete")
    assert response.status_code == 302
    assert load(app, workshop.id) is None
    assert count(app, Stage) == count(app, Persona) == 0


def test_status_moves_from_draft_to_live_to_closed_and_back(client, app, workshop):
    url = f"/workshops/{workshop.id}/status"
    client.post(url, data={"target": "live"})
    assert load(app, workshop.id).status is WorkshopStatus.LIVE
    response = client.post(url, data={"target": "draft"})
    assert response.status_code == 409
    assert "cannot change to that status" in response.text
    client.post(url, data={"target": "closed"})
    assert load(app, workshop.id).status is WorkshopStatus.CLOSED
    assert "Reopen workshop" in client.get(f"/workshops/{workshop.id}").text
    client.post(url, data={"target": "bogus"})
    assert load(app, workshop.id).status is WorkshopStatus.CLOSED


def test_stage_editing_with_htmx_returns_the_stages_section(client, app, workshop):
    base = f"/workshops/{workshop.id}/stages"
    see, think, do, care = workshop.stage_ids
    response = client.post(base, data={"name": "Loyalty"}, headers=HX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="panel" id="stages"')
    assert "Loyalty" in response.text
    assert "HX-Request" in response.headers["Vary"]
    client.post(f"{base}/{see}/rename", data={"name": "Notice"}, headers=HX)
    client.post(f"{base}/{care}/move", data={"position": "0"}, headers=HX)
    client.post(f"{base}/{think}/delete", headers=HX)
    assert [s.name for s in load(app, workshop.id).stages] == ["Care", "Notice", "Do", "Loyalty"]


def test_stage_editing_without_javascript_redirects_back(client, app, workshop):
    response = client.post(f"/workshops/{workshop.id}/stages", data={"name": "Loyalty"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/workshops/{workshop.id}#stages"


@pytest.mark.parametrize("headers", [{}, HX])
def test_bad_stage_input_is_refused(client, app, workshop, headers):
    base = f"/workshops/{workshop.id}/stages"
    first = workshop.stage_ids[0]
    response = client.post(base, data={"name": "  "}, headers=headers)
    assert response.status_code == 422
    assert "This field is required." in response.text
    response = client.post(f"{base}/{first}/rename", data={"name": "x" * 41}, headers=headers)
    assert response.status_code == 422
    assert "Use between 1 and 40 characters." in response.text
    response = client.post(f"{base}/{first}/move", data={"position": "9"}, headers=headers)
    assert response.status_code == 400
    assert "That position does not exist." in response.text
    assert [s.name for s in load(app, workshop.id).stages] == ["See", "Think", "Do", "Care"]


def test_the_last_stage_cannot_be_removed(client, app, make, me):
    workshop = make.workshop(me, template="stdc")
    for stage_id in workshop.stage_ids[:-1]:
        client.post(f"/workshops/{workshop.id}/stages/{stage_id}/delete", headers=HX)
    response = client.post(
        f"/workshops/{workshop.id}/stages/{workshop.stage_ids[-1]}/delete", headers=HX
    )
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#flash"
    assert "at least one stage" in response.text
    assert [s.name for s in load(app, workshop.id).stages] == ["Care"]


def test_personas_can_be_added_edited_and_removed(client, app, workshop):
    base = f"/workshops/{workshop.id}/personas"
    response = client.post(base, data={"persona-name": "Henk", "persona-goals": "Call"}, headers=HX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="panel" id="personas"')
    henk = load(app, workshop.id).personas[1]
    assert (henk.name, henk.goals) == ("Henk", "Call")
    edit = client.get(f"{base}/{henk.id}/edit")
    assert 'value="Henk"' in edit.text
    client.post(f"{base}/{henk.id}/edit", data={"persona-name": "Henk R.", "persona-goals": ""})
    assert load(app, workshop.id).personas[1].name == "Henk R."
    client.post(f"{base}/{workshop.persona_ids[0]}/delete", headers=HX)
    assert [p.name for p in load(app, workshop.id).personas] == ["Henk R."]
    response = client.post(f"{base}/{henk.id}/delete", headers=HX)
    assert response.status_code == 409
    assert "at least one persona" in response.text


def test_bad_persona_input_is_refused(client, app, workshop):
    base = f"/workshops/{workshop.id}/personas"
    response = client.post(base, data={"persona-name": ""})
    assert response.status_code == 422
    assert "This field is required." in response.text
    response = client.post(
        f"{base}/{workshop.persona_ids[0]}/edit",
        data={"persona-name": "Ok", "persona-frustrations": "x" * 10_000},
    )
    assert response.status_code == 422
    assert "Use at most 1000 characters." in response.text
    assert [p.name for p in load(app, workshop.id).personas] == ["Fatima"]


def test_the_projector_shows_qr_code_and_participants(client, make, workshop):
    page = client.get(f"/workshops/{workshop.id}/board").text
    assert "<svg" in page
    assert f"{workshop.join_code[:4]}-{workshop.join_code[4:]}" in page
    assert f"http://localhost/j/{workshop.join_code}" in page
    assert f'data-events="/workshops/{workshop.id}/events?view=board"' in page
    assert '<span class="board-count">0</span>' in page
    make.participant(workshop)
    live_part = client.get(f"/workshops/{workshop.id}/board", headers=HX)
    assert live_part.text.lstrip().startswith('<div class="live-part board-screen board-scope"')
    assert '<span class="board-count">1</span>' in live_part.text


def test_the_qr_code_carries_base_url_and_join_token(client, app, workshop, monkeypatch):
    import segno

    encoded = []
    real_make = segno.make
    monkeypatch.setattr(
        segno, "make", lambda content, **kw: encoded.append(content) or real_make(content, **kw)
    )
    monkeypatch.setitem(app.config, "BASE_URL", "https://cjm.example.org")
    page = client.get(f"/workshops/{workshop.id}/board").text
    assert encoded == [f"https://cjm.example.org/j/{workshop.join_code}?k={workshop.join_token}"]
    assert f"https://cjm.example.org/j/{workshop.join_code}" in page
    assert workshop.join_token not in page.replace(encoded[0], "")


def test_the_overview_warns_when_phones_cannot_reach_the_address(
    client, app, workshop, monkeypatch
):
    assert "Phones cannot reach this address" in client.get(f"/workshops/{workshop.id}").text
    monkeypatch.setitem(app.config, "BASE_URL", "http://192.0.2.10:5000")
    assert "Phones cannot reach this address" not in client.get(f"/workshops/{workshop.id}").text


def test_a_personas_typed_lines_stay_lines_on_the_page_and_the_poster(client, app, workshop):
    goals = "Quick rental\r\nNo surprises"
    client.post(
        f"/workshops/{workshop.id}/personas", data={"persona-name": "Henk", "persona-goals": goals}
    )
    page = client.get(f"/workshops/{workshop.id}").text
    assert '<p class="typed-lines"><strong>Goals:</strong> Quick rental\r\nNo surprises</p>' in page
    with app.app_context():
        room = db.session.get(Workshop, workshop.id)
        html = render.poster_html(db.session, room, layout.FORMATS["A1"], "https://x.example")
    assert "Quick rental · No surprises</p>" in html
