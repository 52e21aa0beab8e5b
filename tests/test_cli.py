"""`flask cjm ...` commands."""

from __future__ import annotations

from pypdf import PdfReader
from sqlalchemy import func, select

from cjm_workshop.extensions import db
from cjm_workshop.models import Facilitator, Note, Participant, Workshop
from cjm_workshop.services import accounts


def test_create_facilitator(runner, app):
    result = runner.invoke(
        args=["cjm", "create-facilitator", "--email", "Frida@Example.org", "--name", "Frida"],
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created facilitator frida@example.org" in result.output
    with app.app_context():
        assert accounts.authenticate(
            db.session, email="frida@example.org", password="correct horse battery"
        )
    again = runner.invoke(
        args=["cjm", "create-facilitator", "--email", "frida@example.org", "--name", "F"],
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_create_facilitator_refuses_short_passwords(runner, app):
    result = runner.invoke(
        args=["cjm", "create-facilitator", "--email", "a@example.org", "--name", "A"],
        input="short\nshort\n",
    )
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Facilitator)) == 0


def test_seed_demo_is_idempotent(runner, app):
    first = runner.invoke(args=["cjm", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo workshop created" in first.output
    assert "demo@cjm.example" in first.output
    second = runner.invoke(args=["cjm", "seed-demo"])
    assert "already there" in second.output
    with app.app_context():
        workshops = db.session.scalars(select(Workshop)).all()
        assert len(workshops) == 1
        demo = workshops[0]
        assert demo.language == "nl"
        assert "tandarts" in demo.title
        assert len(demo.personas) == 2
        assert [s.name for s in demo.stages][0] == "Bewustwording"
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 3
        notes = db.session.scalars(select(Note)).all()
        assert len(notes) == 12 and all(note.author_id for note in notes)
        assert {note.kind.value for note in notes} == {"insight", "touchpoint", "customer_action"}


def test_poster_writes_the_pdf_of_a_workshop(runner, make, tmp_path):
    workshop = make.workshop(title="Tandarts online boeken")
    make.note(workshop, text="Geen vrije tijden zichtbaar", kind="pain_point")
    out = tmp_path / "poster.pdf"
    result = runner.invoke(
        args=["cjm", "poster", workshop.join_code.lower(), "--size", "a2", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"written to {out}" in result.output
    page = PdfReader(out).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (1684, 1191)
    assert "Geen vrije tijden zichtbaar" in " ".join(page.extract_text().split())


def test_poster_of_an_unknown_code_fails(runner, tmp_path):
    out = tmp_path / "poster.pdf"
    result = runner.invoke(args=["cjm", "poster", "NOPE1234", "-o", str(out)])
    assert result.exit_code != 0
    assert "no workshop has the code NOPE1234" in result.output
    assert not out.exists()
