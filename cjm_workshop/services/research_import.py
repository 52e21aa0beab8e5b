"""Research insights from a CSV file or an Excel workbook, added as notes of step 2.

Three moves, each a request of its own: the file is read once into a Table (header and
rows, kept as a ResearchUpload so that every worker finds it), its columns are mapped to
the note's text, source, stage and persona, and the rows are checked and shown; then they
are added. Every row is checked before anything is written: one refused row (empty text,
a formula, a stage the workshop does not have, ...) and nothing is added, and each refusal
names its row as the spreadsheet numbers it (the header is row 1), so the file can be
fixed. The notes themselves are added by notes.add_note, with its rules and live events.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import secrets
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import delete, select

from cjm_workshop.models import (
    NOTE_TEXT_MAX,
    Facilitator,
    Note,
    NoteKind,
    Persona,
    ResearchSource,
    ResearchUpload,
    Stage,
    Workshop,
)
from cjm_workshop.models.base import utcnow
from cjm_workshop.models.research_upload import UPLOAD_KEY_LENGTH, UPLOAD_NAME_MAX
from cjm_workshop.services.errors import (
    InsightRowsRefused,
    InvalidInsightFile,
    InvalidInsightRow,
    InvalidNote,
)
from cjm_workshop.services.notes import NoteFields, add_notes, note_text
from cjm_workshop.services.room import DbSession, changed

MEGABYTE = 1024 * 1024
MAX_ROWS = 2_000  # a survey export; far more insights than a wall can hold
MAX_COLUMNS = 50
# A workbook is a zip: what it unpacks to is limited too (a small file can hold a lot).
MAX_UNPACKED_BYTES = 50 * MEGABYTE
# Longer cells are kept cut to this: long enough to tell that a text is too long.
CELL_MAX = 1_000
VALUE_SHOWN = 60  # of a refused value, in the refusal
UPLOAD_LIFETIME = timedelta(hours=2)

FIELDS = ("text", "source", "stage", "persona")

# Header names (trimmed, any case) each field's column is guessed from, English and Dutch.
HEADER_NAMES: dict[str, frozenset[str]] = {
    "text": frozenset(
        {
            "insight",
            "insights",
            "inzicht",
            "inzichten",
            "research insight",
            "onderzoeksinzicht",
            "text",
            "tekst",
            "note",
            "notitie",
            "finding",
            "bevinding",
            "observation",
            "observatie",
            "quote",
            "citaat",
            "description",
            "omschrijving",
            "beschrijving",
        }
    ),
    "source": frozenset({"source", "bron", "research source", "onderzoeksbron", "method"}),
    "stage": frozenset({"stage", "fase", "phase", "journey stage", "klantreisfase"}),
    "persona": frozenset({"persona", "personas", "persona's"}),
}


def _plain(value: str) -> str:
    """A name as it is compared: any case, any run of spaces."""
    return " ".join(value.split()).casefold()


# --- reading a file ---------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A file's first row (the header) and its other rows that are not blank, each with its
    number as the spreadsheet shows it; `formulas` holds (row, column index) of every cell
    that holds a formula (its text is the formula's)."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    formulas: frozenset[tuple[int, int]] = frozenset()

    def to_json(self) -> str:
        return json.dumps(
            {
                "header": self.header,
                "rows": self.rows,
                "formulas": sorted(self.formulas),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, document: str) -> Table:
        data = json.loads(document)
        return cls(
            tuple(data["header"]),
            tuple((number, tuple(cells)) for number, cells in data["rows"]),
            frozenset((row, column) for row, column in data["formulas"]),
        )


def column_letter(index: int) -> str:
    """A column as spreadsheets name it: A for the first, AA for the 27th."""
    return get_column_letter(index + 1)


def size_text(limit: int) -> str:
    """A size limit as people read it: in MB, or in KB below one."""
    return f"{limit // MEGABYTE} MB" if limit >= MEGABYTE else f"{-(-limit // 1024)} KB"


def read_table(data: bytes, filename: str, max_bytes: int) -> Table:
    """The table in an uploaded file (`data`, read up to one byte beyond `max_bytes`):
    a workbook's first sheet, or a CSV file in UTF-8 or Windows-1252 separated by commas,
    semicolons or tabs. InvalidInsightFile says what is wrong with it."""
    if len(data) > max_bytes:
        raise InvalidInsightFile("too_large", limit=size_text(max_bytes))
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows, formulas = _workbook_rows(data)
    elif name.endswith(".csv") and not data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        rows, formulas = _csv_rows(data)
    else:
        raise InvalidInsightFile("not_table")
    table = _table(rows, formulas)
    # A workbook's cells may all show one long shared text: 200 KB packed can be 100 MB of
    # text, kept with the upload and read at every preview. No more text than a file may be.
    if sum(len(cell) for _, cells in table.rows for cell in cells) > max_bytes:
        raise InvalidInsightFile("unpacked_too_large")
    return table


def _table(rows: Iterator[tuple[int, list[str]]], formulas: set[tuple[int, int]]) -> Table:
    header: list[str] | None = None
    kept: list[tuple[int, tuple[str, ...]]] = []
    width = 0
    for number, cells in rows:
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue  # blank rows, also the many a spreadsheet keeps at its end
        if len(cells) > MAX_COLUMNS:
            raise InvalidInsightFile("too_many_columns", limit=MAX_COLUMNS)
        if header is None:
            if number != 1:
                raise InvalidInsightFile("no_header")
            header = cells
            continue
        if len(kept) == MAX_ROWS:
            raise InvalidInsightFile("too_many_rows", limit=MAX_ROWS)
        width = max(width, len(cells))
        kept.append((number, tuple(cells)))
    if header is None:
        raise InvalidInsightFile("empty")
    if not kept:
        raise InvalidInsightFile("no_rows")
    width = max(width, len(header))
    return Table(
        tuple(header + [""] * (width - len(header))),
        tuple((number, cells + ("",) * (width - len(cells))) for number, cells in kept),
        frozenset(formulas),
    )


def _decoded(data: bytes) -> str:
    """UTF-8 (with or without its byte order mark), else Windows-1252, which Excel on
    Windows writes; UTF-16 and whatever else fits neither are refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        raise InvalidInsightFile("encoding")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InvalidInsightFile("encoding") from None


def _delimiter(first_line: str) -> str:
    """The separator the header row uses most, outside quotes: Dutch Excel writes `;`."""
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for character in first_line:
        if character == '"':
            quoted = not quoted
        elif not quoted and character in counts:
            counts[character] += 1
    best = max(counts, key=lambda character: counts[character])
    return best if counts[best] else ","


def _csv_rows(data: bytes) -> tuple[Iterator[tuple[int, list[str]]], set[tuple[int, int]]]:
    """The rows, and the cells a spreadsheet would read as a formula ("=..."), as in a
    workbook: refused where they are used, never imported as a note's text."""
    text = _decoded(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    formulas: set[tuple[int, int]] = set()

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            # Rows as a spreadsheet numbers them: a text with a line break stays one row.
            for number, cells in enumerate(reader, start=1):
                values = [cell.strip()[:CELL_MAX] for cell in cells]
                formulas.update((number, i) for i, value in enumerate(values) if value[:1] == "=")
                yield number, values
        except csv.Error:
            raise InvalidInsightFile("not_table") from None

    return rows(), formulas


def _workbook_rows(data: bytes) -> tuple[Iterator[tuple[int, list[str]]], set[tuple[int, int]]]:
    formulas: set[tuple[int, int]] = set()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise InvalidInsightFile("unpacked_too_large")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[str]]] = []
        filled = 0
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1), start=1):
            values: list[str] = []
            for index, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f":
                    formulas.add((number, index))  # refused where it is used
                values.append(_cell_text(cell.value)[:CELL_MAX])
            rows.append((number, values))
            filled += any(values)
            if filled > MAX_ROWS + 1:
                break  # the header and one row too many: enough to refuse it
        workbook.close()
    # Whatever a broken or hostile workbook (or another file named .xlsx) makes zipfile or
    # openpyxl raise is the file's fault.
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        ValueError,
        TypeError,
        IndexError,
        EOFError,
        ParseError,
        SyntaxError,
    ):
        raise InvalidInsightFile("broken_workbook") from None
    return iter(rows), formulas


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


# --- keeping it between requests ---------------------------------------------------------


def store_upload(
    session: DbSession, workshop: Workshop, account: Facilitator, filename: str, table: Table
) -> ResearchUpload:
    """Keep the table for the next steps (and let go of uploads older than their life)."""
    if workshop.is_closed:
        raise InvalidInsightFile("closed")
    session.execute(delete(ResearchUpload).where(ResearchUpload.created_at < _expiry()))
    upload = ResearchUpload(
        key=secrets.token_urlsafe(24)[:UPLOAD_KEY_LENGTH],
        workshop_id=workshop.id,
        facilitator_id=account.id,
        filename=filename[-UPLOAD_NAME_MAX:] or "-",
        table=table.to_json(),
    )
    session.add(upload)
    session.flush()
    return upload


def _expiry() -> datetime:
    return utcnow() - UPLOAD_LIFETIME


def upload_of(
    session: DbSession, workshop: Workshop, account: Facilitator, key: str
) -> ResearchUpload:
    """The account's own upload for this workshop, while it lasts ("expired" otherwise:
    imported already, too old, or never this account's)."""
    upload = session.scalar(
        select(ResearchUpload).where(
            ResearchUpload.key == key,
            ResearchUpload.workshop_id == workshop.id,
            ResearchUpload.facilitator_id == account.id,
            ResearchUpload.created_at >= _expiry(),
        )
    )
    if upload is None:
        raise InvalidInsightFile("expired")
    return upload


# --- columns and rows --------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """Which column (by index) holds each field of a note; None: not in the file."""

    text: int | None
    source: int | None = None
    stage: int | None = None
    persona: int | None = None

    def columns(self) -> dict[str, int]:
        found = {field: getattr(self, field) for field in FIELDS}
        return {field: column for field, column in found.items() if column is not None}


def guess_mapping(header: tuple[str, ...]) -> ColumnMapping:
    """Each field's column from the header's names; the first that fits."""
    plain = [_plain(name).rstrip(":*") for name in header]
    found: dict[str, int | None] = {}
    for field in FIELDS:
        found[field] = next(
            (index for index, name in enumerate(plain) if name in HEADER_NAMES[field]), None
        )
    return ColumnMapping(**found)


def check_mapping(table: Table, mapping: ColumnMapping) -> None:
    """A text column, columns the file has, and no column for two fields."""
    if mapping.text is None:
        raise InvalidInsightFile("no_text_column")
    columns = list(mapping.columns().values())
    if any(not 0 <= column < len(table.header) for column in columns):
        raise InvalidInsightFile("no_such_column")
    if len(set(columns)) != len(columns):
        raise InvalidInsightFile("same_column")


@dataclass(frozen=True)
class Insight:
    """A row as it will be added: its number, and the note's fields."""

    row: int
    text: str
    source: ResearchSource
    stage: Stage | None
    persona: Persona | None


@dataclass(frozen=True)
class Checked:
    insights: tuple[Insight, ...]
    refusals: tuple[InvalidInsightRow, ...]


# Words that say which source a cell means when it says more than a source's name, as
# research sheets do ("Interview #3", "Helpdesk tickets", "Enquête mei", "Analytics
# funnel"), in English and Dutch. The preview shows what each row became.
_SOURCE_WORDS = {
    ResearchSource.INTERVIEW: "interview interviews interviewed gesprek gesprekken",
    ResearchSource.SURVEY: "survey surveys enquête enquete enquêtes enquetes vragenlijst "
    "vragenlijsten questionnaire poll nps",
    ResearchSource.ANALYTICS: "analytics analyse analysis statistieken statistics funnel "
    "dashboard data clickstream heatmap",
    ResearchSource.SUPPORT_LOG: "log logs logboek ticket tickets helpdesk servicedesk support "
    "klantenservice klantcontact callcenter sales verkoop complaints klachten",
    ResearchSource.USABILITY_TEST: "usability gebruikerstest gebruikerstests usertest "
    "usertests gebruikersonderzoek",
}
SOURCE_WORDS = {source: frozenset(words.split()) for source, words in _SOURCE_WORDS.items()}


def source_vocabulary(labels: Mapping[str, ResearchSource]) -> dict[str, ResearchSource]:
    """What a source cell may say: a label (the caller's, in every language) or the
    stored value ("usability_test", "usability test")."""
    names = {_plain(label): source for label, source in labels.items()}
    for source in ResearchSource:
        names.setdefault(_plain(source.value), source)
        names.setdefault(_plain(source.value.replace("_", " ")), source)
    return names


def source_in(value: str, vocabulary: Mapping[str, ResearchSource]) -> ResearchSource | None:
    """The source a cell names: by a whole label or stored value, else by the one source
    its words point to ("Interview #3": interview); None when they point to none or to
    two ("survey of the helpdesk")."""
    plain = _plain(value)
    if plain in vocabulary:
        return vocabulary[plain]
    words = set(re.findall(r"[\w-]+", plain))
    meant = {source for source, said in SOURCE_WORDS.items() if words & said}
    return meant.pop() if len(meant) == 1 else None


def check_rows(
    workshop: Workshop,
    table: Table,
    mapping: ColumnMapping,
    sources: Mapping[str, ResearchSource],
) -> Checked:
    """Every row as an insight, or why not. An empty source is "other"; an empty stage
    or persona is none; a source may be named among other words (`source_in`); a value
    the workshop does not know is refused, as is a formula."""
    check_mapping(table, mapping)
    stages = _by_name(workshop.stages)
    personas = _by_name(workshop.personas)
    vocabulary = source_vocabulary(sources)
    insights: list[Insight] = []
    refusals: list[InvalidInsightRow] = []
    for number, cells in table.rows:
        found: dict[str, Any] = {}
        refused = False
        for field, column in mapping.columns().items():
            letter = column_letter(column)
            if (number, column) in table.formulas:
                refusals.append(InvalidInsightRow("formula", row=number, column=letter))
                refused = True
                continue
            value = cells[column]
            try:
                found[field] = _value(field, value, stages, personas, vocabulary)
            except InvalidNote as error:
                reason = "empty_text" if error.reason == "empty" else error.reason
                refusals.append(
                    InvalidInsightRow(
                        reason,
                        row=number,
                        column=letter,
                        value=value[:VALUE_SHOWN],
                        most=NOTE_TEXT_MAX,
                    )
                )
                refused = True
        if not refused:
            insights.append(
                Insight(
                    number,
                    found["text"],
                    found.get("source", ResearchSource.OTHER),
                    found.get("stage"),
                    found.get("persona"),
                )
            )
    return Checked(tuple(insights), tuple(refusals))


def _by_name(parts: list[Stage] | list[Persona]) -> dict[str, Any]:
    named: dict[str, Any] = {}
    for part in parts:
        named.setdefault(_plain(part.name), part)
    return named


def _value(
    field: str,
    value: str,
    stages: dict[str, Stage],
    personas: dict[str, Persona],
    sources: dict[str, ResearchSource],
) -> object:
    """One cell's field, or InvalidNote saying why not."""
    if field == "text":
        return note_text(value)
    if not value:
        return ResearchSource.OTHER if field == "source" else None
    known: Mapping[str, object] = stages if field == "stage" else personas
    found = source_in(value, sources) if field == "source" else known.get(_plain(value))
    if found is None:
        raise InvalidNote(f"unknown_{field}")
    return found


def import_insights(
    session: DbSession, workshop: Workshop, upload: ResearchUpload, checked: Checked
) -> list[Note]:
    """Add every row of the upload, as `check_rows` read it (the preview the facilitator
    looked at), as a research insight by the facilitator, at the end of its cell in the
    file's order, each with its live event; or, if any row is refused, nothing
    (InsightRowsRefused). The upload is used up: sent twice, the second finds it gone."""
    if workshop.is_closed:
        raise InvalidInsightFile("closed")
    key = upload.key
    if checked.refusals:
        raise InsightRowsRefused(checked.refusals)
    # Claimed by deleting it: an import of the same upload at the same moment (a double
    # click) waits here for this one, then finds it gone.
    if not changed(session.execute(delete(ResearchUpload).where(ResearchUpload.id == upload.id))):
        raise InvalidInsightFile("expired")
    return add_notes(
        session,
        workshop,
        [
            (
                NoteFields(
                    kind=NoteKind.INSIGHT,
                    text=insight.text,
                    source=insight.source,
                    stage_id=insight.stage.id if insight.stage else None,
                    persona_id=insight.persona.id if insight.persona else None,
                ),
                f"import-{key}-{insight.row}",
            )
            for insight in checked.insights
        ],
    )
