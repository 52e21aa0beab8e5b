"""Domain tests: creating workshops, stage templates and editing, personas, status."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cjm_workshop.models import Facilitator, Persona, Stage, Workshop, WorkshopStatus
from cjm_workshop.services import workshops as service
from cjm_workshop.services.errors import InvalidMove, LastPersona, LastStage, StatusChangeNotAllowed
from cjm_workshop.services.workshops import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    PersonaFields,
    format_join_code,
    normalise_join_code,
)
from tests.factories import Factories, workshop_fields


@pytest.fixture
def owner(session, make):
    return session.get(Facilitator, make.facilitator().id)


def create(session, owner, template="acpra", language="en", custom=()):
    return service.create_workshop(
        session,
        owner,
        workshop_fields(language=language),
        persona=PersonaFields(name="  Fatima  ", goals="Quick booking"),
        stage_template=template,
        custom_stages=custom,
    )


def stage_names(workshop):
    return [stage.name for stage in workshop.stages]


def test_create_workshop_stores_brief_persona_and_stages(session, owner):
    workshop = create(session, owner)
    session.commit()
    stored = session.scalar(select(Workshop).where(Workshop.id == workshop.id))
    assert stored.title == "Booking a dentist appointment"
    assert stored.status is WorkshopStatus.DRAFT
    assert stored.dots_per_participant == 5
    assert [p.name for p in stored.personas] == ["Fatima"]
    assert stored.personas[0].goals == "Quick booking"
    assert stage_names(stored) == [
        "Awareness",
        "Consideration",
        "Purchase",
        "Retention",
        "Advocacy",
    ]
    assert [s.position for s in stored.stages] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("template", "language", "names"),
    [
        ("acpra", "nl", ["Bewustwording", "Overweging", "Aankoop", "Behoud", "Aanbeveling"]),
        ("aida", "en", ["Attention", "Interest", "Desire", "Action"]),
        ("aida", "nl", ["Aandacht", "Interesse", "Verlangen", "Actie"]),
        ("stdc", "en", ["See", "Think", "Do", "Care"]),
    ],
)
def test_stage_templates_speak_the_workshop_language(session, owner, template, language, names):
    assert stage_names(create(session, owner, template, language)) == names


def test_custom_stages_skip_blank_lines(session, owner):
    workshop = create(session, owner, "custom", custom=["Find", "  ", " Book ", "Visit"])
    assert stage_names(workshop) == ["Find", "Book", "Visit"]


def test_custom_template_without_stages_is_refused(session, owner):
    with pytest.raises(LastStage):
        create(session, owner, "custom", custom=["", "  "])
    assert session.scalar(select(Workshop)) is None


def test_stages_can_be_added_renamed_moved_and_removed(session, owner):
    workshop = create(session, owner, "stdc")
    service.add_stage(session, workshop, " Loyalty ")
    service.rename_stage(session, workshop.stages[0], "Notice")
    service.move_stage(session, workshop.stages[4], 0)
    assert stage_names(workshop) == ["Loyalty", "Notice", "Think", "Do", "Care"]
    service.delete_stage(session, workshop.stages[2])
    session.commit()
    assert stage_names(workshop) == ["Loyalty", "Notice", "Do", "Care"]
    positions = session.scalars(
        select(Stage.position).where(Stage.workshop_id == workshop.id).order_by(Stage.position)
    ).all()
    assert positions == [0, 1, 2, 3]


@given(moves=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=8))
@settings(max_examples=25, deadline=None)
def test_moving_stages_keeps_positions_dense_and_unique(app, moves):
    from cjm_workshop.extensions import db

    record = Factories(app).workshop()  # a fresh workshop for every example
    with app.app_context():
        workshop = db.session.get(Workshop, record.id)
        expected = stage_names(workshop)
        for source, target in moves:
            service.move_stage(db.session, workshop.stages[source], target)
            expected.insert(target, expected.pop(source))
        db.session.commit()
        db.session.expire_all()
        workshop = db.session.get(Workshop, record.id)
        assert stage_names(workshop) == expected
        assert [s.position for s in workshop.stages] == list(range(5))


def test_moving_a_stage_out_of_range_is_refused(session, owner):
    workshop = create(session, owner, "stdc")
    with pytest.raises(InvalidMove):
        service.move_stage(session, workshop.stages[0], 4)
    with pytest.raises(InvalidMove):
        service.move_stage(session, workshop.stages[0], -1)
    assert stage_names(workshop) == ["See", "Think", "Do", "Care"]


def test_the_last_stage_cannot_be_removed(session, owner):
    workshop = create(session, owner, "custom", custom=["Only"])
    with pytest.raises(LastStage):
        service.delete_stage(session, workshop.stages[0])
    assert stage_names(workshop) == ["Only"]


def test_personas_can_be_added_edited_and_removed_but_not_the_last(session, owner):
    workshop = create(session, owner)
    henk = service.add_persona(session, workshop, PersonaFields(name="Henk", description="71"))
    service.update_persona(session, henk, PersonaFields(name="Henk R.", frustrations="SMS codes"))
    assert [(p.name, p.position) for p in workshop.personas] == [("Fatima", 0), ("Henk R.", 1)]
    assert henk.frustrations == "SMS codes"
    assert henk.description == ""
    service.delete_persona(session, workshop.personas[0])
    session.commit()
    assert [(p.name, p.position) for p in workshop.personas] == [("Henk R.", 0)]
    with pytest.raises(LastPersona):
        service.delete_persona(session, workshop.personas[0])
    assert session.scalar(select(Persona.name)) == "Henk R."


def test_status_transitions_are_guarded(session, owner):
    workshop = create(session, owner)
    service.change_status(session, workshop, WorkshopStatus.LIVE)
    with pytest.raises(StatusChangeNotAllowed):
        service.change_status(session, workshop, WorkshopStatus.DRAFT)
    service.change_status(session, workshop, WorkshopStatus.CLOSED)
    service.change_status(session, workshop, WorkshopStatus.LIVE)
    assert workshop.status is WorkshopStatus.LIVE


def test_deleting_a_workshop_removes_its_parts(session, owner):
    workshop = create(session, owner)
    session.commit()
    service.delete_workshop(session, workshop)
    session.commit()
    assert session.scalar(select(Stage)) is None
    assert session.scalar(select(Persona)) is None


# --- join codes


def test_join_codes_are_short_readable_and_unique(session, owner):
    codes = {create(session, owner).join_code for _ in range(30)}
    assert len(codes) == 30
    for code in codes:
        assert len(code) == JOIN_CODE_LENGTH
        assert set(code) <= set(JOIN_CODE_ALPHABET)
    assert not set("0O1IL") & set(JOIN_CODE_ALPHABET)


def test_join_code_space_is_too_large_to_enumerate():
    assert len(JOIN_CODE_ALPHABET) ** JOIN_CODE_LENGTH > 10**11


def test_join_code_uniqueness_survives_collisions(session, owner, monkeypatch):
    first = create(session, owner)
    generated = iter([first.join_code, first.join_code, "ZZZZ2222"])
    monkeypatch.setattr(service, "generate_join_code", lambda: next(generated))
    assert create(session, owner).join_code == "ZZZZ2222"


def test_join_tokens_are_long_and_distinct(session, owner):
    tokens = {create(session, owner).join_token for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(token) >= 32 for token in tokens)


@given(st.text(alphabet=JOIN_CODE_ALPHABET, min_size=8, max_size=8))
def test_typed_codes_are_normalised(code):
    typed = f" {format_join_code(code).lower()} "
    assert normalise_join_code(typed) == code
