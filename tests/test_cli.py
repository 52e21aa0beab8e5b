"""`flask cjm ...` commands."""

from __future__ import annotations

import json
import struct

from pypdf import PdfReader
from sqlalchemy import func, select

from cjm_workshop.extensions import db
from cjm_workshop.models import Facilitator, Note, Participant, Workshop
from cjm_workshop.services import accounts, transfer
from tests.factories import row_counts
from tests.poster.conftest import svg_texts


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
    assert "there is no workshop with the code NOPE1234" in result.output
    assert not out.exists()


def test_picture_draws_the_map_and_the_curve_for_slides(runner, make, tmp_path):
    workshop = make.workshop(title="Tandarts online boeken")
    person = make.participant(workshop)
    touchpoint = make.note(workshop, person, "Belt de praktijk", kind="touchpoint")
    code = workshop.join_code
    # Nobody rated yet: a map, but no curve.
    curve = tmp_path / "curve.svg"
    refused = runner.invoke(args=["cjm", "picture", code, "--part", "curve", "-o", str(curve)])
    assert refused.exit_code != 0 and "has no curve for persona 1" in refused.output
    assert not curve.exists()
    make.ratings(workshop, {(person.id, touchpoint): 4})
    done = runner.invoke(args=["cjm", "picture", code, "--part", "curve", "-o", str(curve)])
    assert done.exit_code == 0, done.output
    assert "Belt de praktijk" in svg_texts(curve.read_bytes())[1]
    wide = tmp_path / "map.png"
    made = runner.invoke(args=["cjm", "picture", code, "--width", "3840", "-o", str(wide)])
    assert made.exit_code == 0, made.output
    assert struct.unpack(">I", wide.read_bytes()[16:20])[0] == 3840
    wrong = runner.invoke(args=["cjm", "picture", code, "-o", str(tmp_path / "map.jpg")])
    assert wrong.exit_code != 0 and "must end in .png or .svg" in wrong.output


# --- a workshop as JSON ----------------------------------------------------------------


def _rows(app) -> dict[str, int]:
    with app.app_context():
        return row_counts(db.session)


def test_export_json_then_import_json(runner, app, make, tmp_path):
    owner = make.facilitator("owner@example.org")
    workshop = make.workshop(owner, title="Tandarts")
    make.note(workshop, make.participant(workshop, "Anna"), "Lange wachttijd")
    make.facilitator("new@example.org")
    target = tmp_path / "workshop.json"
    code = f"{workshop.join_code[:4]}-{workshop.join_code[4:].lower()}"  # as read aloud
    exported = runner.invoke(args=["cjm", "export-json", code, "-o", str(target)])
    assert exported.exit_code == 0, exported.output
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["format"] == "cjm-workshop" and document["notes"][0]["author"] == "P1"
    to_stdout = runner.invoke(args=["cjm", "export-json", workshop.join_code])
    assert json.loads(to_stdout.stdout) == document
    imported = runner.invoke(
        args=["cjm", "import-json", str(target), "--facilitator", "NEW@example.org"]
    )
    assert imported.exit_code == 0, imported.output
    assert "Imported Tandarts for new@example.org" in imported.output
    with app.app_context():
        copy = db.session.scalars(select(Workshop).order_by(Workshop.id.desc())).first()
        assert copy.facilitator.email == "new@example.org"
        assert transfer.export_workshop(db.session, copy) == document


def test_export_json_of_an_unknown_code_fails(runner):
    result = runner.invoke(args=["cjm", "export-json", "ZZZZ-ZZZZ"])
    assert result.exit_code != 0
    assert "no workshop with the code ZZZZ-ZZZZ" in result.output


def test_import_json_refuses_a_broken_file_and_writes_nothing(runner, app, make, tmp_path):
    make.facilitator("new@example.org")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "cjm-workshop", "version": 7}', encoding="utf-8")
    before = _rows(app)
    result = runner.invoke(
        args=["cjm", "import-json", str(broken), "--facilitator", "new@example.org"]
    )
    assert result.exit_code == 1
    assert "broken.json cannot be imported" in result.output
    assert "version 7 of the workshop format" in result.output
    nobody = runner.invoke(
        args=["cjm", "import-json", str(broken), "--facilitator", "x@example.org"]
    )
    assert nobody.exit_code == 1 and "no account for x@example.org" in nobody.output
    assert _rows(app) == before
