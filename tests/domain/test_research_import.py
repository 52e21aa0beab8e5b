"""Reading a file of research insights, guessing its columns, checking its rows and
importing them (services/research_import.py), without a client."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from cjm_workshop.models import (
    Facilitator,
    Note,
    ResearchSource,
    ResearchUpload,
    Workshop,
    WorkshopStatus,
)
from cjm_workshop.services import research_import as service
from cjm_workshop.services.errors import (
    InsightRowsRefused,
    InvalidInsightFile,
)
from cjm_workshop.services.workshops import change_status
from tests.factories import row_counts

LIMIT = 1024 * 1024
SOURCES = {"Interview": ResearchSource.INTERVIEW, "Enquête": ResearchSource.SURVEY}


def read(body: bytes, filename: str = "x.csv") -> service.Table:
    return service.read_table(body, filename, LIMIT)


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("body", "header"),
    [
        (b"Insight,Source\nOne,Interview\n", ("Insight", "Source")),
        (b"Inzicht;Bron\nEen, twee;Interview\n", ("Inzicht", "Bron")),  # Dutch Excel
        (b"Insight\tSource\nOne\tInterview\n", ("Insight", "Source")),
        (b'"Insight; long",Source\nOne,Interview\n', ("Insight; long", "Source")),
        ("\ufeffInsight,Source\nOne,Interview\n".encode(), ("Insight", "Source")),  # BOM
    ],
)
def test_the_separator_is_the_header_rows(body, header):
    table = read(body)
    assert table.header == header
    assert len(table.rows[0][1]) == 2


def test_rows_keep_the_numbers_a_spreadsheet_shows():
    table = read(b'Insight\n\nOne\n"Two\nlines"\n\n\nThree\n')
    assert table.rows == ((3, ("One",)), (4, ("Two\nlines",)), (7, ("Three",)))


def test_a_workbook_gives_values_and_marks_formulas():
    table = read(
        workbook(
            [
                ["Insight", "Count", "When"],
                ["One", 3.0, datetime(2026, 3, 1)],
                ["Two", "=B2*2", None],
            ]
        ),
        "x.xlsx",
    )
    assert table.header == ("Insight", "Count", "When")
    assert table.rows[0] == (2, ("One", "3", "2026-03-01"))
    assert table.formulas == {(3, 1)}
    assert service.Table.from_json(table.to_json()) == table


@pytest.mark.parametrize(
    ("body", "filename", "reason"),
    [
        (b"x" * (LIMIT + 1), "x.csv", "too_large"),
        (b"Insight\nOne\n", "x.txt", "not_table"),
        (b"PK\x03\x04broken", "x.xlsx", "broken_workbook"),
        (b"Insight\nOne\n", "renamed.xlsx", "broken_workbook"),
        (b"", "x.xlsx", "broken_workbook"),
        (workbook([["Insight"], ["One"]]), "renamed.csv", "not_table"),
        ("Insight\nOne\n".encode("utf-16"), "x.csv", "encoding"),
        (b"Insight\n\x81\n", "x.csv", "encoding"),
        (b"", "x.csv", "empty"),
        (b"Insight\n", "x.csv", "no_rows"),
        (b"\nInsight\nOne\n", "x.csv", "no_header"),
        (("Insight\n" + "row\n" * (service.MAX_ROWS + 1)).encode(), "x.csv", "too_many_rows"),
        (("," * service.MAX_COLUMNS + "x\nOne\n").encode(), "x.csv", "too_many_columns"),
        (workbook([["Insight"], *[["row"]] * (service.MAX_ROWS + 1)]), "x.xlsx", "too_many_rows"),
    ],
)
def test_files_that_cannot_be_read_are_refused(body, filename, reason):
    with pytest.raises(InvalidInsightFile) as refused:
        read(body, filename)
    assert refused.value.reason == reason


def test_exactly_the_row_limit_is_read():
    table = read(("Insight\n" + "row\n" * service.MAX_ROWS).encode())
    assert len(table.rows) == service.MAX_ROWS


def test_windows_1252_is_read_when_it_is_not_utf8():
    assert read("Insight\nCliënt €\n".encode("cp1252")).rows[0][1] == ("Cliënt €",)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (("Inzicht", "Bron", "Fase", "Persona"), service.ColumnMapping(0, 1, 2, 3)),
        (("ID", "persona", "Source:", "Text", "stage"), service.ColumnMapping(3, 2, 4, 1)),
        (("Name", "E-mail"), service.ColumnMapping(None)),
    ],
)
def test_the_columns_are_guessed_from_english_and_dutch_names(header, expected):
    assert service.guess_mapping(header) == expected


# --- checking rows and importing them --------------------------------------------------------


@pytest.fixture
def workshop(session, make):
    record = make.workshop(personas=2)
    return session.get(Workshop, record.id)


def test_rows_are_checked_against_the_workshops_stages_personas_and_sources(workshop):
    table = read(
        "Insight;Source;Stage;Persona\n"
        "One;interview;AWARENESS;  fatima \n"
        "Two;Enquête;;Persona 2\n"
        "Three;;;\n"
        ";Interview;;\n"
        "Four;Gut feeling;Nowhere;Nobody\n".encode()
    )
    checked = service.check_rows(workshop, table, service.ColumnMapping(0, 1, 2, 3), SOURCES)
    assert [(i.row, i.text, i.source) for i in checked.insights] == [
        (2, "One", ResearchSource.INTERVIEW),
        (3, "Two", ResearchSource.SURVEY),
        (4, "Three", ResearchSource.OTHER),
    ]
    assert checked.insights[0].stage is workshop.stages[0]
    assert checked.insights[0].persona is workshop.personas[0]
    assert checked.insights[1].persona is workshop.personas[1]
    assert [(r.reason, r.params["row"], r.params["column"]) for r in checked.refusals] == [
        ("empty_text", 5, "A"),
        ("unknown_source", 6, "B"),
        ("unknown_stage", 6, "C"),
        ("unknown_persona", 6, "D"),
    ]
    assert checked.refusals[1].params["value"] == "Gut feeling"


def test_a_source_may_be_the_stored_value_too(workshop):
    table = read(b"Insight,Source\nOne,usability test\nTwo,support_log\n")
    checked = service.check_rows(workshop, table, service.ColumnMapping(0, 1), {})
    assert [i.source for i in checked.insights] == [
        ResearchSource.USABILITY_TEST,
        ResearchSource.SUPPORT_LOG,
    ]


def test_a_source_cell_that_says_more_is_read_by_its_words(workshop):
    """Research sheets say "Interview #3" or "Helpdesk tickets", not a source's name."""
    table = read(
        "Insight;Source\n"
        "One;Interview #3\n"
        "Two;Helpdesk tickets 2025\n"
        "Three;Enquête mei\n"
        "Four;Analytics funnel\n"
        "Five;Gebruikerstest ronde 2\n"
        "Six;Survey of the helpdesk\n"
        "Seven;Desk research\n".encode()
    )
    checked = service.check_rows(workshop, table, service.ColumnMapping(0, 1), SOURCES)
    assert [i.source for i in checked.insights] == [
        ResearchSource.INTERVIEW,
        ResearchSource.SUPPORT_LOG,
        ResearchSource.SURVEY,
        ResearchSource.ANALYTICS,
        ResearchSource.USABILITY_TEST,
    ]
    # Two sources at once, or none: the facilitator says which.
    assert [(r.reason, r.params["row"]) for r in checked.refusals] == [
        ("unknown_source", 7),
        ("unknown_source", 8),
    ]


def test_a_formula_is_refused_only_in_a_column_that_is_used(workshop):
    table = read(workbook([["Insight", "Sum"], ["One", "=1+1"]]), "x.xlsx")
    assert service.check_rows(workshop, table, service.ColumnMapping(0), {}).refusals == ()
    refused = service.check_rows(workshop, table, service.ColumnMapping(1), {}).refusals
    assert [(r.reason, r.params["row"], r.params["column"]) for r in refused] == [
        ("formula", 2, "B")
    ]


@pytest.mark.parametrize(
    ("mapping", "reason"),
    [
        (service.ColumnMapping(None, 0), "no_text_column"),
        (service.ColumnMapping(0, 0), "same_column"),
        (service.ColumnMapping(5), "no_such_column"),
    ],
)
def test_a_mapping_needs_a_text_column_and_distinct_columns(workshop, mapping, reason):
    with pytest.raises(InvalidInsightFile) as refused:
        service.check_rows(workshop, read(b"Insight,Source\nOne,Two\n"), mapping, {})
    assert refused.value.reason == reason


def upload(session, workshop, body: bytes) -> ResearchUpload:
    account = session.get(Facilitator, workshop.facilitator_id)
    return service.store_upload(session, workshop, account, "x.csv", read(body))


def imported(session, workshop, kept: ResearchUpload, mapping) -> list[Note]:
    """The upload's rows as the preview checks them, imported."""
    checked = service.check_rows(workshop, service.Table.from_json(kept.table), mapping, {})
    return service.import_insights(session, workshop, kept, checked)


def test_an_import_adds_every_row_or_nothing(session, workshop):
    bad = upload(session, workshop, b"Insight,Stage\nOne,Awareness\nTwo,Nowhere\n")
    before = row_counts(session)
    with pytest.raises(InsightRowsRefused) as refused:
        imported(session, workshop, bad, service.ColumnMapping(0, stage=1))
    assert [r.params["row"] for r in refused.value.refusals] == [3]
    assert row_counts(session) == before

    good = upload(session, workshop, b"Insight,Stage\nOne,Awareness\nTwo,\n")
    notes = imported(session, workshop, good, service.ColumnMapping(0, stage=1))
    assert [(n.text, n.stage_id, n.by_facilitator) for n in notes] == [
        ("One", workshop.stages[0].id, True),
        ("Two", None, True),
    ]
    assert session.scalar(select(ResearchUpload).where(ResearchUpload.key == good.key)) is None


def test_an_upload_is_imported_once(session, workshop):
    kept = upload(session, workshop, b"Insight\nOne\nTwo\n")
    imported(session, workshop, kept, service.ColumnMapping(0))
    with pytest.raises(InvalidInsightFile) as gone:
        imported(session, workshop, kept, service.ColumnMapping(0))
    assert gone.value.reason == "expired"
    assert len(session.scalars(select(Note)).all()) == 2


def test_a_closed_workshop_takes_no_import(session, workshop):
    kept = upload(session, workshop, b"Insight\nOne\n")
    change_status(session, workshop, WorkshopStatus.LIVE)
    change_status(session, workshop, WorkshopStatus.CLOSED)
    with pytest.raises(InvalidInsightFile) as refused:
        imported(session, workshop, kept, service.ColumnMapping(0))
    assert refused.value.reason == "closed"
    with pytest.raises(InvalidInsightFile):
        upload(session, workshop, b"Insight\nTwo\n")
    assert session.scalars(select(Note)).all() == []


def test_an_upload_is_the_uploaders_and_lasts_two_hours(session, make, workshop):
    other_id = make.facilitator().id  # (before this session writes)
    kept = upload(session, workshop, b"Insight\nOne\n")
    owner = session.get(Facilitator, workshop.facilitator_id)
    assert service.upload_of(session, workshop, owner, kept.key) is kept
    other = session.get(Facilitator, other_id)
    with pytest.raises(InvalidInsightFile):
        service.upload_of(session, workshop, other, kept.key)
    kept.created_at -= service.UPLOAD_LIFETIME
    session.flush()
    with pytest.raises(InvalidInsightFile) as gone:
        service.upload_of(session, workshop, owner, kept.key)
    assert gone.value.status == 410
    old_key = kept.key
    upload(session, workshop, b"Insight\nTwo\n")  # a new upload clears the old ones away
    assert session.scalar(select(ResearchUpload).where(ResearchUpload.key == old_key)) is None


def test_many_notes_are_checked_before_any_is_written(session, workshop):
    from cjm_workshop.models import NoteKind
    from cjm_workshop.services.errors import InvalidNote
    from cjm_workshop.services.notes import NoteFields, add_notes
    from tests.factories import live_events

    insight = NoteKind.INSIGHT
    source = ResearchSource.SURVEY
    with pytest.raises(InvalidNote) as refused:
        add_notes(
            session,
            workshop,
            [
                (NoteFields(insight, "Fine", source=source), "k1"),
                (NoteFields(insight, "Other workshop's stage", source=source, stage_id=-1), "k2"),
            ],
        )
    assert refused.value.reason == "unknown_stage"
    assert session.scalars(select(Note)).all() == []
    stage = workshop.stages[1].id
    added = add_notes(
        session,
        workshop,
        [
            (NoteFields(insight, " One ", source=source, stage_id=stage), "k1"),
            (NoteFields(insight, "No stage", source=source), "k2"),
            (NoteFields(insight, "Two", source=source, stage_id=stage), "k3"),
        ],
    )
    assert [(n.text, n.position, n.by_facilitator) for n in added] == [
        ("One", 0, True),
        ("No stage", 0, True),
        ("Two", 1, True),
    ]
    notes_told = [event for event in live_events(session, workshop) if event[0] == "note"]
    assert notes_told == [("note", n.id) for n in added]


def test_a_large_import_tells_screens_once_to_reload_their_live_part(session, workshop):
    """Past NOTES_SENT_ONE_BY_ONE, one map event: not a thousand notes to every screen."""
    from cjm_workshop.models import NoteKind
    from cjm_workshop.services.notes import NoteFields, add_notes
    from cjm_workshop.services.room import NOTES_SENT_ONE_BY_ONE
    from tests.factories import live_events

    many = NOTES_SENT_ONE_BY_ONE + 1
    fields = NoteFields(NoteKind.INSIGHT, "Same", source=ResearchSource.SURVEY)
    before = live_events(session, workshop)
    added = add_notes(session, workshop, [(fields, f"k{n}") for n in range(many)])
    assert len(added) == many
    assert live_events(session, workshop) == [*before, ("map", None)]


def test_a_workbook_whose_text_is_far_larger_than_the_file_is_refused():
    """One long text repeated in every cell packs small (a shared string): a review built
    200 KB that became 100 MB kept with the upload. No more text than a file may hold."""
    text = "x" * 1000
    body = workbook([["Insight", "Source"], *([text, "Survey"] for _ in range(60))])
    assert len(body) < 20_000
    with pytest.raises(InvalidInsightFile) as refused:
        service.read_table(body, "big.xlsx", 50_000)
    assert refused.value.reason == "unpacked_too_large"
    assert len(service.read_table(body, "big.xlsx", 100_000).rows) == 60
