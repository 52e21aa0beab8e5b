"""Domain tests: a workshop's set-up saved as a facilitator's template and a workshop
started from it; prompts, timeboxes and private notes per step; what versions and backups
carry of them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cjm_workshop.labels import STEP_PROMPTS, step_prompt
from cjm_workshop.models import (
    Facilitator,
    LaneKind,
    Note,
    Participant,
    Step,
    Workshop,
    WorkshopTemplate,
)
from cjm_workshop.models.template import TEMPLATE_NAME_MAX
from cjm_workshop.services import journey_map, steps, templates, timer, transfer, versions
from cjm_workshop.services import workshops as service
from cjm_workshop.services.errors import InvalidStepSetup, TemplateRefused
from cjm_workshop.services.steps import TIMEBOX_MINUTES, StepSetup
from cjm_workshop.services.workshops import PersonaFields
from tests.factories import row_counts, workshop_fields

SCRIPT = "Ask who called the practice last month. Watch for Bob: he talks over others."


@pytest.fixture
def prepared(make, session):
    """A workshop set up every way a template keeps: own stages in its own order, two
    personas, a lane moved and one hidden, prompts, timeboxes and a private script, voting
    and room settings; and a participant with a note (which a template never keeps)."""
    owner = make.facilitator("owner@example.org")
    record = make.workshop(
        owner,
        template="aida",
        personas=2,
        dots_per_participant=3,
        anonymous=True,
        several_dots_per_note=True,
        own_note_dots=False,
        erase_names_after_days=30,
    )
    make.note(record, make.participant(record), "A note of the session")
    workshop = session.get(Workshop, record.id)
    service.rename_stage(session, workshop.stages[0], "Noticing")
    service.move_stage(session, workshop.stages[3], 0)
    lanes = {lane.kind: lane for lane in workshop.lanes}
    journey_map.move_lane(session, workshop, lanes[LaneKind.PAIN_POINT], 0)
    journey_map.set_lane_hidden(session, workshop, lanes[LaneKind.INSIGHT], True)
    steps.set_up_step(
        session, workshop, Step.RESEARCH, StepSetup("Bring one quote per note.", 25, SCRIPT)
    )
    steps.set_up_step(session, workshop, Step.ACTIONS, StepSetup("", 40, ""))
    workshop.board_prompt, workshop.board_sound = False, True
    session.commit()
    return workshop


def _start(session, facilitator, template, **fields):
    return templates.start_from_template(
        session, facilitator, workshop_fields(title="Second round", **fields), template
    )


def test_a_workshop_started_from_a_template_has_the_set_up_it_was_saved_with(session, prepared):
    owner = prepared.facilitator
    template = templates.save_template(session, owner, prepared, "Dentist, the long one")
    session.commit()
    session.expire_all()
    # Settings come from the new-workshop form, which shows the template's first.
    shown = templates.read_setup(session.get(WorkshopTemplate, template.id))
    settings = {
        "dots_per_participant": shown.dots_per_participant,
        "several_dots_per_note": shown.several_dots_per_note,
        "own_note_dots": shown.own_note_dots,
        "anonymous": shown.anonymous,
        "erase_names_after_days": shown.erase_names_after_days,
    }
    started = _start(session, owner, session.get(WorkshopTemplate, template.id), **settings)
    assert templates.setup_of(started) == templates.setup_of(prepared)
    # the parts, spelled out (setup_of could miss one on both sides)
    assert [s.name for s in started.stages] == ["Action", "Noticing", "Interest", "Desire"]
    assert [p.name for p in started.personas] == ["Fatima", "Persona 2"]
    assert started.personas[0].description == "Busy parent"
    assert [(lane.kind, lane.hidden) for lane in started.lanes][:4] == [
        (LaneKind.PAIN_POINT, False),
        (LaneKind.CUSTOMER_ACTION, False),
        (LaneKind.TOUCHPOINT, False),
        (LaneKind.INSIGHT, True),
    ]
    research = started.step_state(Step.RESEARCH)
    assert (research.prompt, research.timebox_minutes, research.facilitator_notes) == (
        "Bring one quote per note.",
        25,
        SCRIPT,
    )
    assert started.step_state(Step.ACTIONS).timebox_minutes == 40
    assert (
        started.dots_per_participant,
        started.anonymous,
        started.several_dots_per_note,
        started.own_note_dots,
        started.erase_names_after_days,
        started.board_prompt,
        started.board_sound,
    ) == (3, True, True, False, 30, False, True)
    # the brief is the new workshop's own; the session's people and notes stay behind
    assert (started.title, started.facilitator_id) == ("Second round", owner.id)
    assert started.journey_key != prepared.journey_key and started.version == 1
    for model in (Note, Participant):
        query = select(func.count()).select_from(model).where(model.workshop_id == started.id)
        assert session.scalar(query) == 0


def test_a_template_is_a_copy_later_changes_to_the_workshop_do_not_reach_it(session, prepared):
    template = templates.save_template(session, prepared.facilitator, prepared, "Dentist")
    service.rename_stage(session, prepared.stages[0], "Changed afterwards")
    steps.set_up_step(session, prepared, Step.RESEARCH, StepSetup())
    started = _start(session, prepared.facilitator, template)
    assert started.stages[0].name == "Action"
    assert started.step_state(Step.RESEARCH).facilitator_notes == SCRIPT


def test_the_built_in_stage_models_are_unchanged(session, make):
    record = make.workshop(template="stdc", language="nl")
    workshop = session.get(Workshop, record.id)
    assert [s.name for s in workshop.stages] == ["Zien", "Denken", "Doen", "Zorgen"]
    assert (workshop.several_dots_per_note, workshop.own_note_dots) == (False, True)
    for state in workshop.steps:
        assert (state.prompt, state.timebox_minutes, state.facilitator_notes) == ("", None, "")
        assert steps.timebox_of(state) == TIMEBOX_MINUTES[state.step]
        assert step_prompt(state) is STEP_PROMPTS[state.step]


def test_template_names_are_checked_and_unique_per_facilitator(session, prepared, make):
    owner = prepared.facilitator
    other_id = make.facilitator("other@example.org").id
    first = templates.save_template(session, owner, prepared, "  Dentist   intake ")
    assert first.name == "Dentist intake"
    session.commit()
    before = row_counts(session)
    for name, reason in [
        ("   ", "name_empty"),
        ("x" * (TEMPLATE_NAME_MAX + 1), "name_too_long"),
        ("Dentist intake", "name_taken"),
        ("Dentist  intake", "name_taken"),
        ("dentist INTAKE", "name_taken"),  # one name to a person reading the list
    ]:
        with pytest.raises(TemplateRefused) as refused:
            templates.save_template(session, owner, prepared, name)
        assert refused.value.reason == reason
        session.rollback()
    assert row_counts(session) == before
    # another facilitator may use the same name
    other = session.get(Facilitator, other_id)
    templates.save_template(session, other, prepared, "Dentist intake")
    second = templates.save_template(session, owner, prepared, "Second")
    with pytest.raises(TemplateRefused, match="name_taken"):
        templates.rename_template(session, second, "Dentist intake")
    templates.rename_template(session, first, "Dentist intake")  # its own name: fine
    templates.rename_template(session, second, "Renamed")
    assert [t.name for t in templates.templates_of(session, owner)] == [
        "Dentist intake",
        "Renamed",
    ]


def test_the_same_name_saved_twice_at_once_is_refused_not_an_error(session, prepared, monkeypatch):
    """A double click reaching two workers: both pass the name check before either
    writes. The unique index decides; the second is told the name is taken (a review
    found an unhandled IntegrityError) and the first stays."""
    owner = prepared.facilitator
    templates.save_template(session, owner, prepared, "Dentist")
    monkeypatch.setattr(templates, "_checked_name", lambda session, owner_id, name, *_: name)
    with pytest.raises(TemplateRefused) as refused:
        templates.save_template(session, owner, prepared, "Dentist")
    assert refused.value.reason == "name_taken"
    second = templates.save_template(session, owner, prepared, "Second")
    with pytest.raises(TemplateRefused, match="name_taken"):
        templates.rename_template(session, second, "Dentist")
    session.commit()
    assert sorted(t.name for t in templates.templates_of(session, owner)) == ["Dentist", "Second"]


def test_deleting_a_template_leaves_the_workshops_started_from_it(session, prepared):
    template = templates.save_template(session, prepared.facilitator, prepared, "Dentist")
    started = _start(session, prepared.facilitator, template)
    templates.delete_template(session, template)
    assert session.get(WorkshopTemplate, template.id) is None
    assert session.get(Workshop, started.id).stages[0].name == "Action"
    assert templates.templates_of(session, prepared.facilitator) == []


def test_a_template_that_cannot_be_read_is_refused_not_half_used(session, prepared):
    template = templates.save_template(session, prepared.facilitator, prepared, "Dentist")
    template.setup = {**template.setup, "stages": []}
    session.commit()
    before = row_counts(session)
    with pytest.raises(TemplateRefused, match="unreadable"):
        _start(session, prepared.facilitator, template)
    session.rollback()
    assert row_counts(session) == before


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (StepSetup(timebox_minutes=0), "timebox"),
        (StepSetup(timebox_minutes=121), "timebox"),
        (StepSetup(prompt="x" * 501), "prompt_too_long"),
        (StepSetup(facilitator_notes="x" * 4001), "notes_too_long"),
    ],
)
def test_a_step_set_up_out_of_bounds_is_refused(session, prepared, setup, reason):
    with pytest.raises(InvalidStepSetup) as refused:
        steps.set_up_step(session, prepared, Step.SCOPE, setup)
    assert refused.value.reason == reason
    session.rollback()
    assert StepSetup.of(session.get(Workshop, prepared.id).step_state(Step.SCOPE)) == StepSetup()


def test_the_timer_starts_with_the_steps_own_timebox(session, prepared):
    steps.go_to_step(session, prepared, Step.RESEARCH)
    timer.start(session, prepared)
    assert timer.view(prepared).seconds_left == 25 * 60
    steps.go_to_step(session, prepared, Step.TOUCHPOINTS)  # no own timebox: the built-in
    timer.start(session, prepared)
    assert timer.view(prepared).seconds_left == TIMEBOX_MINUTES[Step.TOUCHPOINTS] * 60


def test_a_new_version_keeps_the_steps_set_up_and_the_voting_defaults(session, prepared):
    copy = versions.clone(session, prepared, prepared.facilitator)
    for state in prepared.steps:
        assert StepSetup.of(copy.step_state(state.step)) == StepSetup.of(state)
    assert (copy.several_dots_per_note, copy.own_note_dots) == (True, False)


def test_the_backup_keeps_the_private_notes_and_brings_them_back(session, prepared, make):
    importer_id = make.facilitator("importer@example.org").id
    session.commit()
    document = transfer.export_workshop(session, prepared)
    research = next(s for s in document["steps"] if s["step"] == "research")
    assert (research["prompt"], research["timebox_minutes"], research["facilitator_notes"]) == (
        "Bring one quote per note.",
        25,
        SCRIPT,
    )
    importer = session.get(Facilitator, importer_id)
    imported = transfer.import_workshop(session, document, importer)
    assert StepSetup.of(imported.step_state(Step.RESEARCH)) == StepSetup(
        "Bring one quote per note.", 25, SCRIPT
    )
    assert (imported.several_dots_per_note, imported.own_note_dots) == (True, False)


def test_a_backup_with_a_timebox_out_of_range_is_refused(session, prepared, make):
    importer_id = make.facilitator("importer@example.org").id
    session.commit()
    document = transfer.export_workshop(session, prepared)
    document["steps"][0]["timebox_minutes"] = 500
    importer = session.get(Facilitator, importer_id)
    with pytest.raises(transfer.InvalidWorkshopFile) as refused:
        transfer.import_workshop(session, document, importer)
    assert refused.value.params["where"] == "steps[0].timebox_minutes"


def test_an_added_persona_joins_the_templates_personas(session, prepared):
    template = templates.save_template(session, prepared.facilitator, prepared, "Dentist")
    started = templates.start_from_template(
        session,
        prepared.facilitator,
        workshop_fields(),
        template,
        persona=PersonaFields(name=" Gerrit ", goals="Quick answers"),
    )
    assert [(p.position, p.name) for p in started.personas] == [
        (0, "Fatima"),
        (1, "Persona 2"),
        (2, "Gerrit"),
    ]
    assert started.personas[2].goals == "Quick answers"
