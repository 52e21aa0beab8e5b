"""Web tests: a facilitator's own templates (only theirs), starting a workshop from one, a
workshop's prompts and timeboxes per step, and the private notes that only the console
shows."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cjm_workshop.extensions import db
from cjm_workshop.models import Facilitator, Step, Workshop, WorkshopTemplate
from cjm_workshop.poster import content
from cjm_workshop.services import templates
from tests.factories import row_counts

SECRET = "Psst-script: watch Bob, ask Anna first"


def _save(client, workshop_id: int, name: str = "Dentist intake"):
    return client.post(f"/workshops/{workshop_id}/template", data={"name": name})


def _template_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(WorkshopTemplate.id).where(WorkshopTemplate.name == name))


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return row_counts(db.session)


NEW_WORKSHOP = {
    "title": "Second intake",
    "journey": "A patient comes back.",
    "goal": "Fewer calls.",
    "language": "en",
    "dots_per_participant": "5",
    "own_note_dots": "y",
}


def test_save_as_template_then_start_a_workshop_from_it(app, client, me, make):
    record = make.workshop(me, template="stdc", personas=2, dots_per_participant=4)
    client.post(
        f"/workshops/{record.id}/steps/research",
        data={"prompt": "One quote per note", "timebox_minutes": "12", "facilitator_notes": SECRET},
    )
    page = client.get(f"/workshops/{record.id}/template")
    assert page.status_code == 200 and 'value="Booking a dentist appointment"' in page.text
    saved = _save(client, record.id)
    assert saved.status_code == 303 and saved.headers["Location"] == "/workshops/templates"
    listed = client.get("/workshops/templates").text
    assert "Dentist intake" in listed and "See – Think – Do – Care" in listed
    template_id = _template_id(app, "Dentist intake")
    shown = client.get(f"/workshops/templates/{template_id}").text
    assert "One quote per note" in shown and "12 minutes" in shown and SECRET in shown

    form = client.get(f"/workshops/new?template={template_id}").text
    assert (
        f'<input checked id="stage_template-4" name="stage_template" type="radio" value="own-{template_id}">'
        in form
    )
    assert "Dentist intake" in form
    # a template brings its personas: no first persona needed
    assert re.search(r'<input[^>]* id="dots_per_participant"[^>]* value="4"', form)
    created = client.post(
        "/workshops/new",
        data=NEW_WORKSHOP | {"stage_template": f"own-{template_id}", "dots_per_participant": "4"},
    )
    assert created.status_code == 302
    with app.app_context():
        started = db.session.get(Workshop, int(created.headers["Location"].rsplit("/", 1)[1]))
        assert started.title == "Second intake"
        assert [s.name for s in started.stages] == ["See", "Think", "Do", "Care"]
        assert [p.name for p in started.personas] == ["Fatima", "Persona 2"]
        assert started.dots_per_participant == 4  # the template's, as the form showed it
        research = started.step_state(Step.RESEARCH)
        assert (research.prompt, research.timebox_minutes, research.facilitator_notes) == (
            "One quote per note",
            12,
            SECRET,
        )


def test_a_persona_typed_on_the_new_page_is_added_to_the_templates(app, client, me, make):
    record = make.workshop(me)
    _save(client, record.id)
    template_id = _template_id(app, "Dentist intake")
    data = NEW_WORKSHOP | {"stage_template": f"own-{template_id}", "persona-name": "Gerrit"}
    created = client.post("/workshops/new", data=data)
    assert created.status_code == 302
    with app.app_context():
        started = db.session.get(Workshop, int(created.headers["Location"].rsplit("/", 1)[1]))
        assert [p.name for p in started.personas] == ["Fatima", "Gerrit"]


def test_the_settings_are_what_the_new_workshop_form_shows(app, client, me, make):
    """Rehearsal and review ticked "Anonymous" and typed 2 dots on the form, chose a
    template saved otherwise, and got the template's: a room where participants see who
    wrote what. The form decides; from the template's own link it shows the template's."""
    record = make.workshop(me, anonymous=True, dots_per_participant=4)
    _save(client, record.id)
    template_id = _template_id(app, "Dentist intake")
    shown = client.get(f"/workshops/new?template={template_id}").text
    (checkbox,) = re.findall(r'<input[^>]* id="anonymous"[^>]*>', shown)
    assert " checked " in checkbox
    assert re.search(r'<input[^>]* id="dots_per_participant"[^>]* value="4"', shown)
    data = NEW_WORKSHOP | {"stage_template": f"own-{template_id}"}  # unticked, 5 dots
    created = client.post("/workshops/new", data=data)
    ticked = client.post(
        "/workshops/new", data=data | {"anonymous": "y", "dots_per_participant": "2"}
    )
    with app.app_context():
        for answer, anonymous, dots in ((created, False, 5), (ticked, True, 2)):
            started = db.session.get(Workshop, int(answer.headers["Location"].rsplit("/", 1)[1]))
            assert (started.anonymous, started.dots_per_participant) == (anonymous, dots)


def test_a_built_in_stage_model_still_needs_its_first_persona(client, me):
    answer = client.post("/workshops/new", data=NEW_WORKSHOP | {"stage_template": "aida"})
    assert answer.status_code == 422
    assert "This field is required." in answer.text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("x" * 81, "Use between 1 and 80 characters."),
        ("Dentist intake", "You already have a template with this name."),
    ],
)
def test_a_bad_template_name_is_refused_with_a_message_and_nothing_written(
    app, client, me, make, name, message
):
    record = make.workshop(me)
    _save(client, record.id)
    before = _counts(app)
    answer = _save(client, record.id, name)
    assert answer.status_code == 422
    assert message in answer.text
    assert f'value="{name}"' in answer.text  # what was typed stays
    assert _counts(app) == before


def test_the_name_taken_message_is_dutch_for_a_dutch_facilitator(app, client, me, make):
    record = make.workshop(me)
    _save(client, record.id)
    client.set_cookie("cjm_lang", "nl")
    answer = _save(client, record.id)
    assert answer.status_code == 422
    assert "Je hebt al een sjabloon met deze naam." in answer.text


def test_rename_and_delete_a_template(app, client, me, make):
    record = make.workshop(me)
    _save(client, record.id)
    _save(client, record.id, "Other")
    template_id = _template_id(app, "Dentist intake")
    taken = client.post(f"/workshops/templates/{template_id}/rename", data={"name": "Other"})
    assert taken.status_code == 422 and "You already have a template" in taken.text
    renamed = client.post(f"/workshops/templates/{template_id}/rename", data={"name": "Intake"})
    assert renamed.status_code == 303
    assert _template_id(app, "Intake") == template_id
    deleted = client.post(f"/workshops/templates/{template_id}/delete")
    assert deleted.status_code == 303
    with app.app_context():
        assert db.session.get(WorkshopTemplate, template_id) is None
        assert db.session.get(Workshop, record.id) is not None


@pytest.fixture
def someone_elses_template(app, make) -> int:
    owner = make.facilitator("owner@example.org")
    record = make.workshop(owner)
    with app.app_context():
        account = db.session.get(Facilitator, owner.id)
        template = templates.save_template(
            db.session, account, db.session.get(Workshop, record.id), "Owner's secret set-up"
        )
        db.session.commit()
        return template.id


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("GET", "/workshops/templates/{id}", {}),
        ("GET", "/workshops/templates/{id}/rename", {}),
        ("POST", "/workshops/templates/{id}/rename", {"name": "Mine now"}),
        ("POST", "/workshops/templates/{id}/delete", {}),
        ("GET", "/workshops/new?template={id}", {}),
        ("POST", "/workshops/new", NEW_WORKSHOP | {"stage_template": "own-{id}"}),
    ],
)
def test_another_facilitators_template_is_not_found(
    app, client, me, someone_elses_template, method, url, data
):
    before = _counts(app)
    data = {key: value.format(id=someone_elses_template) for key, value in data.items()}
    answer = client.open(url.format(id=someone_elses_template), method=method, data=data)
    assert answer.status_code == 404
    assert "Owner&#39;s secret set-up" not in answer.text
    assert _counts(app) == before
    with app.app_context():
        assert db.session.get(WorkshopTemplate, someone_elses_template).name == (
            "Owner's secret set-up"
        )
    listed = client.get("/workshops/templates").text
    assert "secret set-up" not in listed
    assert "secret set-up" not in client.get("/workshops/new").text


def test_anonymous_visitors_and_participants_get_no_templates(client, make, someone_elses_template):
    workshop = make.workshop()
    phone = make.phone(workshop, make.participant(workshop))
    for visitor in (client, phone):
        page = visitor.get("/workshops/templates")
        assert page.status_code == 302 and page.headers["Location"].startswith("/login")
        refused = visitor.post(f"/workshops/templates/{someone_elses_template}/delete")
        assert refused.status_code == 403
        refused = visitor.post(f"/workshops/{workshop.id}/template", data={"name": "x"})
        assert refused.status_code == 403


def test_an_organizer_cannot_save_a_workshop_as_a_template(app, client, auth, make):
    workshop = make.workshop()
    make.member(workshop, make.facilitator("organizer@example.org"), "organizer")
    auth.login("organizer@example.org")
    assert _save(client, workshop.id).status_code == 403
    assert _template_id(app, "Dentist intake") is None


# --- prompts and timeboxes per step -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "english", "dutch"),
    [
        ({"timebox_minutes": "0"}, "from 1 to 120", "van 1 tot 120"),
        ({"timebox_minutes": "121"}, "from 1 to 120", "van 1 tot 120"),
        ({"timebox_minutes": "ten"}, "Not a valid integer value.", "Ongeldig getal."),
        ({"prompt": "x" * 501}, "Use at most 500 characters.", "Gebruik maximaal 500 tekens."),
        (
            {"facilitator_notes": "x" * 4001},
            "Use at most 4000 characters.",
            "Gebruik maximaal 4000 tekens.",
        ),
    ],
)
def test_a_bad_step_set_up_says_why_in_both_languages_and_writes_nothing(
    app, client, me, make, data, english, dutch
):
    record = make.workshop(me)
    before = _counts(app)
    posted = {"prompt": "Typed prompt", "facilitator_notes": "Typed notes"} | data
    answer = client.post(f"/workshops/{record.id}/steps/research", data=posted)
    assert answer.status_code == 422
    assert english in answer.text
    assert "Typed notes" in answer.text or "x" * 4001 in answer.text  # kept
    client.set_cookie("cjm_lang", "nl")
    answer = client.post(f"/workshops/{record.id}/steps/research", data=posted)
    assert answer.status_code == 422 and dutch in answer.text
    assert _counts(app) == before
    with app.app_context():
        state = db.session.get(Workshop, record.id).step_state(Step.RESEARCH)
        assert (state.prompt, state.timebox_minutes, state.facilitator_notes) == ("", None, "")


def test_an_unknown_step_is_not_found(client, me, make):
    record = make.workshop(me)
    assert client.get(f"/workshops/{record.id}/steps/lunch").status_code == 404


def test_the_prompt_shows_on_board_and_phones_and_the_timer_uses_the_timebox(app, client, me, make):
    record = make.workshop(me, language="nl")
    phone = make.phone(record, make.participant(record))
    make.step(record, "research")
    # empty: the built-in texts in the workshop's language
    assert "Wat weten we al over deze klant?" in client.get(f"/workshops/{record.id}/board").text
    saved = client.post(
        f"/workshops/{record.id}/steps/research?back=console",
        data={"prompt": "Eén citaat per briefje, graag", "timebox_minutes": "7"},
    )
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/workshops/{record.id}/console"
    console = client.get(f"/workshops/{record.id}/console").text
    assert "Eén citaat per briefje, graag" in console and 'value="7"' in console
    board = client.get(f"/workshops/{record.id}/board").text
    assert "Eén citaat per briefje, graag" in board
    assert "Eén citaat per briefje, graag" in phone.get(f"/w/{record.join_code}").text
    client.post(f"/workshops/{record.id}/timer", data={"action": "start"})
    with app.app_context():
        from cjm_workshop.services import timer

        left = timer.view(db.session.get(Workshop, record.id)).seconds_left
    assert 6 * 60 < left <= 7 * 60


def test_the_overview_lists_the_steps_set_up(client, me, make):
    record = make.workshop(me)
    client.post(f"/workshops/{record.id}/steps/emotions", data={"timebox_minutes": "33"})
    overview = client.get(f"/workshops/{record.id}").text
    assert 'id="steps"' in overview and "33 minutes" in overview
    assert f"/workshops/{record.id}/steps/emotions" in overview


# --- private notes: the console only ------------------------------------------------------


@pytest.fixture
def scripted(app, client, me, make):
    """A workshop in the visualize step with a private script for every step, a
    participant with a note, and an action (so every export has something to say)."""
    record = make.workshop(me)
    participant = make.participant(record)
    make.note(record, participant, "Patients call the desk")
    make.action(record)
    for step in Step:
        client.post(
            f"/workshops/{record.id}/steps/{step.value}",
            data={"facilitator_notes": f"{SECRET} ({step.value})"},
        )
    make.step(record, "visualize")
    return record, make.phone(record, participant)


def test_the_console_shows_the_private_notes_of_the_current_step(client, scripted):
    record, _phone = scripted
    console = client.get(f"/workshops/{record.id}/console")
    assert f"{SECRET} (visualize)" in console.text
    assert f"{SECRET} (research)" not in console.text  # one step at a time
    live = client.get(f"/workshops/{record.id}/console", headers={"HX-Request": "true"})
    assert f"{SECRET} (visualize)" in live.text


def test_the_private_notes_appear_nowhere_else(app, client, scripted):
    record, phone = scripted
    base = f"/workshops/{record.id}"
    seen = {
        "board": client.get(f"{base}/board").text,
        "board live part": client.get(f"{base}/board", headers={"HX-Request": "true"}).text,
        "board map": client.get(f"{base}/board/map").text,
        "phone": phone.get(f"/w/{record.join_code}").text,
        "phone live part": phone.get(f"/w/{record.join_code}", headers={"HX-Request": "true"}).text,
        "phone map": phone.get(f"/w/{record.join_code}/map").text,
        "results": client.get(f"{base}/results").text,
        "markdown": client.get(f"{base}/export/summary.md").text,
        "csv": client.get(f"{base}/export/actions.csv").text,
        "poster preview": client.get(f"{base}/poster/preview").text,
    }
    with app.app_context():
        workshop = db.session.get(Workshop, record.id)
        seen["poster data"] = repr(content.sheets_of(db.session, workshop, "http://x/map"))
    assert all(page for page in seen.values())
    leaked = [where for where, page in seen.items() if "Psst-script" in page]
    assert leaked == []
    # ... while the facilitator's own backup keeps them
    assert "Psst-script" in client.get(f"{base}/export/workshop.json").text


def test_an_organizers_json_export_has_no_private_notes(client, auth, make, scripted):
    record, _phone = scripted
    make.member(record, make.facilitator("organizer@example.org"), "organizer")
    auth.logout()
    auth.login("organizer@example.org")
    document = client.get(f"/workshops/{record.id}/export/workshop.json")
    assert document.status_code == 200
    assert "Psst-script" not in document.text
    assert {step["facilitator_notes"] for step in document.json["steps"]} == {""}
