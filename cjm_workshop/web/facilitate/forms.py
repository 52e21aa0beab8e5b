"""The facilitator's forms that are the console's alone."""

from __future__ import annotations

from dataclasses import astuple

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from cjm_workshop.services.research_import import FIELDS, ColumnMapping, column_letter
from cjm_workshop.web.forms import AppForm


class RemoveParticipantForm(AppForm):
    notes = RadioField(
        _l("Their notes"),
        choices=[
            SelectChoice("keep", _l("Keep them on the map, marked with “removed”")),
            SelectChoice(
                "hide", _l("Take them off the map (hidden: you can still show one again)")
            ),
        ],
        default="keep",
    )


class InsightsFileForm(AppForm):
    """A CSV file or workbook of research insights (its size is checked as it is read)."""

    file = FileField(
        _l("CSV file or Excel workbook"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["csv", "xlsx"], message=_l("Choose a .csv or .xlsx file.")),
        ],
        render_kw={
            "accept": ".csv,.xlsx,text/csv,"
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )


class InsightColumnsForm(AppForm):
    """Which of the file's columns holds each field of the insights. Asked for with GET
    (the preview) and posted to import: the page's CSRF protection covers the POST."""

    class Meta(AppForm.Meta):
        csrf = False

    text = SelectField(_l("Text of the insight"), default="")
    source = SelectField(_l("Source"), default="")
    stage = SelectField(_l("Stage"), default="")
    persona = SelectField(_l("Persona"), default="")

    def offer(self, header: tuple[str, ...]) -> None:
        """The file's columns as choices, and "not in the file"."""
        columns = [
            SelectChoice(
                str(index), f"{column_letter(index)}: {name}" if name else column_letter(index)
            )
            for index, name in enumerate(header)
        ]
        for field in self:
            field.choices = [SelectChoice("", _l("— not in the file")), *columns]

    def show(self, mapping: ColumnMapping) -> None:
        """Start from a mapping (the one guessed from the header)."""
        for field, column in zip(FIELDS, astuple(mapping), strict=True):
            self[field].data = "" if column is None else str(column)

    def mapping(self) -> ColumnMapping:
        return ColumnMapping(
            *(int(self[field].data) if self[field].data else None for field in FIELDS)
        )
