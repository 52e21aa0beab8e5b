"""Research insights imported from a CSV file or workbook through the web: upload, columns,
preview, import; each refusal with its row, in both languages, with nothing written; and who
may do it."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, NoteKind, ResearchSource, ResearchUpload
from tests.factories import live_events, row_counts

GOOD_CSV = (
    "Inzicht;Bron;Fase;Persona\r\n"
    "Patiënten bellen omdat de site geen vrije plekken toont;Interview;Awareness;Fatima\r\n"
    '"Zoekt eerst op Google; vindt de site niet";enquête;consideration;\r\n'
    ";;;\r\n"
    "Haakt af bij het inloggen;;;fatima\r\n"
)


def post_file(client, url: str, body: bytes, filename: str, **kwargs):
    """Post a file as a browser would (encoded here, in memory)."""
    boundary, encoded = encode_multipart({"file": FileStorage(io.BytesIO(body), filename)})
    return client.post(
        url, data=encoded, content_type=f"multipart/form-data; boundary={boundary}", **kwargs
    )


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def insights(app, workshop) -> list[Note]:
    with app.app_context():
        notes = db.session.scalars(
            select(Note)
            .where(Note.workshop_id == workshop.id, Note.kind == NoteKind.INSIGHT)
            .order_by(Note.id)
        ).all()
        db.session.expunge_all()
        return list(notes)


def rows(app) -> dict[str, int]:
    with app.app_context():
        counts = row_counts(db.session)
    counts.pop("research_upload")  # an upload is kept until it is imported
    return counts


@pytest.fixture
def workshop(make, me):
    return make.workshop(me)


def upload_url(workshop) -> str:
    return f"/workshops/{workshop.id}/research/import"


def upload(client, workshop, body: bytes, filename: str = "insights.csv", **kwargs):
    return post_file(client, upload_url(workshop), body, filename, **kwargs)


def uploaded(client, workshop, body: bytes, filename: str = "insights.csv") -> str:
    """The columns page of an accepted upload."""
    answer = upload(client, workshop, body, filename)
    assert answer.status_code == 303, answer.text
    return answer.headers["Location"]


def test_a_good_csv_is_previewed_then_imported_in_order(client, app, workshop):
    page_url = uploaded(client, workshop, GOOD_CSV.encode("utf-8"))
    page = client.get(page_url)
    assert page.status_code == 200
    # Guessed from the Dutch header, separated by semicolons.
    for field, column in [("text", "0"), ("source", "1"), ("stage", "2"), ("persona", "3")]:
        assert re.search(
            rf'<select[^>]*name="{field}".*?<option selected value="{column}">', page.text, re.S
        ), field
    assert "3 research insights will be added" in page.text
    assert "Zoekt eerst op Google; vindt de site niet" in page.text
    assert "Import 3 insights" in page.text
    assert insights(app, workshop) == []  # a preview writes nothing

    answer = client.post(page_url, data={"text": 0, "source": 1, "stage": 2, "persona": 3})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/workshops/{workshop.id}/console")
    added = insights(app, workshop)
    assert [note.text for note in added] == [
        "Patiënten bellen omdat de site geen vrije plekken toont",
        "Zoekt eerst op Google; vindt de site niet",
        "Haakt af bij het inloggen",
    ]
    assert [note.source for note in added] == [
        ResearchSource.INTERVIEW,
        ResearchSource.SURVEY,  # "enquête", the Dutch label, in another case
        ResearchSource.OTHER,  # empty
    ]
    stages = workshop.stage_ids
    assert [note.stage_id for note in added] == [stages[0], stages[1], None]
    assert [note.persona_id for note in added] == [
        workshop.persona_ids[0],
        None,
        workshop.persona_ids[0],
    ]
    assert all(note.by_facilitator and note.author_id is None for note in added)
    with app.app_context():
        assert [note_id for _, note_id in live_events(db.session, workshop)] == [
            note.id for note in added
        ]
        assert db.session.scalar(select(ResearchUpload)) is None  # used up
    assert "3 research insights imported." in client.get(answer.headers["Location"]).text
    # Sent again (a double click, the back button): the upload is gone, nothing doubles.
    again = client.post(page_url, data={"text": 0, "source": 1, "stage": 2, "persona": 3})
    assert again.status_code == 410
    assert "Upload the file again" in again.text
    assert len(insights(app, workshop)) == 3


def test_imported_insights_go_to_the_end_of_their_cells(client, app, make, workshop):
    make.note(workshop, None, "Already there", stage=workshop.stage_ids[0])
    page_url = uploaded(client, workshop, b"Insight,Stage\nNew one,Awareness\nAnother,Awareness\n")
    assert client.post(page_url, data={"text": 0, "stage": 1}).status_code == 303
    with app.app_context():
        cell = db.session.scalars(
            select(Note.text)
            .where(Note.stage_id == workshop.stage_ids[0], Note.kind == NoteKind.INSIGHT)
            .order_by(Note.position)
        ).all()
    assert cell == ["Already there", "New one", "Another"]


def test_a_good_workbook_is_imported(client, app, workshop):
    body = workbook(
        [
            ["Insight", "Source", "Stage", "Persona"],
            ["Wants to book in the evening", "Usability test", "Purchase", "Fatima"],
            [None, None, None, None],
            [42, "Analytics", "", None],
        ]
    )
    page_url = uploaded(client, workshop, body, "research.xlsx")
    page = client.get(page_url)
    assert page.status_code == 200
    assert "2 research insights will be added" in page.text
    answer = client.post(page_url, data={"text": 0, "source": 1, "stage": 2, "persona": 3})
    assert answer.status_code == 303
    added = insights(app, workshop)
    assert [(note.text, note.source) for note in added] == [
        ("Wants to book in the evening", ResearchSource.USABILITY_TEST),
        ("42", ResearchSource.ANALYTICS),
    ]
    assert added[0].stage_id == workshop.stage_ids[2]


def test_changing_a_column_with_htmx_answers_the_preview_alone(client, workshop):
    page_url = uploaded(client, workshop, b"Insight,Notes\nOne,two\n")
    answer = client.get(
        f"{page_url}?text=1&source=&stage=&persona=", headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200
    assert 'id="insights-preview"' in answer.text
    assert "<html" not in answer.text
    assert "<td>two</td>" in answer.text
    assert "HX-Request" in answer.headers["Vary"]


# --- refusals: a message naming the row, nothing written -----------------------------------


def refused_preview(client, app, workshop, body: bytes, filename: str, mapping: dict) -> str:
    before = rows(app)
    page_url = uploaded(client, workshop, body, filename)
    preview = client.get(page_url, query_string=mapping)
    assert preview.status_code == 422
    assert not re.search(r"Import \d+ insight", preview.text)  # no import button
    answer = client.post(page_url, data=mapping)
    assert answer.status_code == 422
    assert rows(app) == before
    assert insights(app, workshop) == []
    dutch = client.post(page_url, data=mapping, headers={"Accept-Language": "nl"})
    assert dutch.status_code == 422
    assert "kan er niets worden geïmporteerd" in dutch.text
    return answer.text


def test_a_formula_is_refused_with_its_row_and_column(client, app, workshop):
    body = workbook(
        [
            ["Source", "Stage", "Insight"],
            ["Interview", "Awareness", "Fine"],
            ["Interview", "Awareness", "=A2&B2"],
        ]
    )
    text = refused_preview(
        client, app, workshop, body, "f.xlsx", {"text": 2, "source": 0, "stage": 1, "persona": ""}
    )
    assert "Row 3: a formula in column C; paste values instead" in text


def test_a_formula_in_a_csv_file_is_refused_as_in_a_workbook(client, app, workshop):
    """A spreadsheet reads "=..." in a CSV cell as a formula: refused, not made a note
    (seen in a rehearsal: the CSV one was offered for import, the workbook's refused)."""
    body = b"Insight;Source\nFine;Interview\n=1+2;Interview\n"
    text = refused_preview(
        client, app, workshop, body, "f.csv", {"text": 0, "source": 1, "stage": "", "persona": ""}
    )
    assert "Row 3: a formula in column A; paste values instead" in text


def test_unknown_stage_source_and_persona_and_empty_text_are_refused_by_row(client, app, workshop):
    body = (
        "Insight,Source,Stage,Persona\n"
        "Fine,Interview,Awareness,Fatima\n"
        "Fine too,Gut feeling,Awareness,\n"
        ",Interview,,\n"
        "Also fine,,Checkout,\n"
        "Last,,,Piet <b>\n"
        f"{'x' * 281},,,\n"
    ).encode()
    text = refused_preview(
        client, app, workshop, body, "r.csv", {"text": 0, "source": 1, "stage": 2, "persona": 3}
    )
    assert "so nothing can be imported" in text
    assert "Row 3: “Gut feeling” in column B names none of the sources" in text
    # The names it knows are on the page, to fix the file by.
    assert "Interview, Survey, Analytics, Sales or support log, Usability test, Other" in text
    assert "Row 4: the text in column A is empty." in text
    assert "Row 5: “Checkout” in column C is not a stage of this workshop." in text
    assert "Row 6: “Piet &lt;b&gt;” in column D is not a persona of this workshop." in text
    assert "Row 7: the text in column A is longer than 280 characters." in text


def test_wrong_columns_ask_for_the_text_column(client, app, workshop):
    before = rows(app)
    page_url = uploaded(client, workshop, b"Name,E-mail\nAnna,anna@example.org\n")
    page = client.get(page_url)
    assert page.status_code == 422
    assert "Choose the column that holds the insights&#39; text." in page.text
    assert client.post(page_url, data={"text": "", "source": "0"}).status_code == 422
    same = client.post(page_url, data={"text": "0", "source": "0"})
    assert same.status_code == 422
    assert "Choose a different column for each field." in same.text
    beyond = client.post(page_url, data={"text": "7"})
    assert beyond.status_code == 422
    assert rows(app) == before


BAD_FILES = [
    (b"PK\x03\x04not really a zip", "x.xlsx", 422, "cannot be read as an Excel workbook"),
    (b"Insight\nA CSV file renamed\n", "x.xlsx", 422, "cannot be read as an Excel workbook"),
    (b"", "x.xlsx", 422, "cannot be read as an Excel workbook"),
    (b"\xd0\xcf\x11\xe0 an old xls", "x.xls", 422, "Choose a .csv or .xlsx file."),
    ("Insight\nÉén\n".encode("utf-16"), "x.csv", 422, "Save it as “CSV UTF-8”"),
    (b"Insight\n\x81\x8d\x8f\n", "x.csv", 422, "Save it as “CSV UTF-8”"),
    (b"", "x.csv", 422, "The file is empty."),
    (b"\n\n", "x.csv", 422, "The file is empty."),
    (b"Insight,Source\n", "x.csv", 422, "no insights below it"),
    (b"\nInsight\nOne\n", "x.csv", 422, "Row 1 is empty"),
    (("Insight\n" + "a row\n" * 2001).encode(), "x.csv", 422, "more than 2000 rows"),
]


@pytest.mark.parametrize(("body", "filename", "status", "message"), BAD_FILES)
def test_a_file_that_cannot_be_read_is_refused_on_upload(
    client, app, workshop, body, filename, status, message
):
    before = row_counts_with_uploads(app)
    answer = upload(client, workshop, body, filename)
    assert answer.status_code == status
    assert message in answer.text
    assert row_counts_with_uploads(app) == before


def row_counts_with_uploads(app) -> dict[str, int]:
    with app.app_context():
        return row_counts(db.session)


def test_a_windows_csv_is_read_as_windows_1252(client, app, workshop):
    page_url = uploaded(client, workshop, "Insight\nCliënt wil €5 korting\n".encode("cp1252"))
    assert "Cliënt wil €5 korting" in client.get(page_url).text


def test_the_refusals_are_in_dutch_too(client, workshop):
    body = workbook([["Inzicht"], ["=1+1"]])
    page_url = uploaded(client, workshop, body, "f.xlsx")
    answer = client.get(page_url, headers={"Accept-Language": "nl"})
    assert answer.status_code == 422
    assert "Rij 2: een formule in kolom A" in answer.text
    encoding = upload(
        client, workshop, "Inzicht\n".encode("utf-16"), headers={"Accept-Language": "nl"}
    )
    assert encoding.status_code == 422
    assert "Sla het op als “CSV UTF-8”" in encoding.text


def test_a_file_over_the_configured_limit_is_refused(client, app, workshop, monkeypatch):
    monkeypatch.setitem(app.config, "RESEARCH_IMPORT_MAX_BYTES", 2048)
    before = row_counts_with_uploads(app)
    just_over = upload(client, workshop, b"Insight\n" + b"x" * 2048)
    assert just_over.status_code == 413
    assert "The file is too large: it may have at most 2 KB." in just_over.text
    assert 'name="file"' in just_over.text  # the form, to choose another
    far_over = upload(client, workshop, b"Insight\n" + b"x" * (200 * 1024))
    assert far_over.status_code == 413
    assert "at most 2 KB" in far_over.text
    assert row_counts_with_uploads(app) == before


def test_a_file_over_the_default_limit_is_refused_before_it_is_read(client, app, workshop):
    before = row_counts_with_uploads(app)
    body = b"Insight\n" + b"x" * (app.config["RESEARCH_IMPORT_MAX_BYTES"] + 1024 * 1024)
    answer = upload(client, workshop, body, headers={"Accept-Language": "nl"})
    assert answer.status_code == 413
    assert "5 MB" in answer.text
    assert row_counts_with_uploads(app) == before


def test_an_upload_is_its_uploaders_alone(client, app, make, auth, workshop):
    page_url = uploaded(client, workshop, b"Insight\nOne\n")
    colleague = make.facilitator("co@example.org")
    make.member(workshop, colleague, "co_facilitator")
    auth.logout()
    auth.login("co@example.org")
    assert client.get(upload_url(workshop)).status_code == 200  # may import files of their own
    assert client.get(page_url).status_code == 410
    assert client.post(page_url, data={"text": 0}).status_code == 410
    assert insights(app, workshop) == []


# --- access -------------------------------------------------------------------------------


@pytest.fixture
def columns_url(client, workshop) -> str:
    return uploaded(client, workshop, b"Insight\nOne\n")


def test_another_facilitator_gets_404(client, app, make, auth, workshop, columns_url):
    make.facilitator("other@example.org")
    auth.logout()
    auth.login("other@example.org")
    assert client.get(upload_url(workshop)).status_code == 404
    assert upload(client, workshop, b"Insight\nOne\n").status_code == 404
    assert client.get(columns_url).status_code == 404
    assert client.post(columns_url, data={"text": 0}).status_code == 404
    assert insights(app, workshop) == []


def test_an_organizer_gets_403(client, app, make, auth, workshop, columns_url):
    organizer = make.facilitator("org@example.org")
    make.member(workshop, organizer, "organizer")
    auth.logout()
    auth.login("org@example.org")
    assert client.get(upload_url(workshop)).status_code == 403
    assert upload(client, workshop, b"Insight\nOne\n").status_code == 403
    assert client.post(columns_url, data={"text": 0}).status_code == 403
    assert insights(app, workshop) == []


def test_anonymous_visitors_and_participants_are_sent_to_log_in(
    client, app, make, auth, workshop, columns_url
):
    auth.logout()
    participant = make.participant(workshop)
    for visitor in (app.test_client(), make.phone(workshop, participant)):
        for page in (visitor.get(upload_url(workshop)), visitor.get(columns_url)):
            assert page.status_code == 302
            assert page.headers["Location"].startswith("/login?next=")
        for posted in (
            post_file(visitor, upload_url(workshop), b"Insight\nOne\n", "x.csv"),
            visitor.post(columns_url, data={"text": 0}),
        ):
            assert posted.status_code == 403  # as every facilitator's form answers them
    assert insights(app, workshop) == []


def test_the_console_in_the_research_step_and_the_workshop_page_link_to_it(client, make, workshop):
    make.step(workshop, "research")
    assert upload_url(workshop) in client.get(f"/workshops/{workshop.id}/console").text
    assert upload_url(workshop) in client.get(f"/workshops/{workshop.id}").text
    make.step(workshop, "touchpoints")
    assert upload_url(workshop) not in client.get(f"/workshops/{workshop.id}/console").text


def test_a_closed_workshop_takes_no_import(client, app, workshop):
    page_url = uploaded(client, workshop, b"Insight\nOne\n")
    for target in ("live", "closed"):
        changed = client.post(f"/workshops/{workshop.id}/status", data={"target": target})
        assert changed.status_code in (302, 303)
    answer = client.post(page_url, data={"text": 0})
    assert answer.status_code == 422
    assert "This workshop is closed: reopen it to import research insights." in answer.text
    refused = upload(client, workshop, b"Insight\nTwo\n")
    assert refused.status_code == 409
    assert "reopen it" in refused.text
    assert insights(app, workshop) == []
    assert (
        f"/workshops/{workshop.id}/research/import"
        not in client.get(f"/workshops/{workshop.id}").text
    )
