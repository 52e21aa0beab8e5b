"""The note form shared by phones and the facilitator's proxy, and how notes are shown."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

from flask import abort, current_app, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf as csrf_token
from wtforms import HiddenField, SelectChoice, SelectField, TextAreaField

from cjm_workshop import live
from cjm_workshop.extensions import db
from cjm_workshop.labels import CHANNEL_LABELS, SOURCE_LABELS
from cjm_workshop.models import (
    NOTE_TEXT_MAX,
    STEP_NOTE_KINDS,
    Channel,
    Note,
    NoteKind,
    Participant,
    ResearchSource,
    Workshop,
)
from cjm_workshop.models.base import utcnow
from cjm_workshop.models.note import STAGE_REQUIRED
from cjm_workshop.services import journey_map, presession
from cjm_workshop.services import notes as service
from cjm_workshop.services.errors import (
    IdempotencyConflict,
    IdempotencyKeyReused,
    InvalidNote,
    ParticipantRemoved,
    StepClosed,
    WorkshopClosed,
)
from cjm_workshop.services.room import visible_to_room
from cjm_workshop.web.actions import ranked_pain_points
from cjm_workshop.web.errors import domain_message
from cjm_workshop.web.forms import AppForm, choice_label, optional_id, required_text, strip
from cjm_workshop.web.htmx import is_htmx

# Which form field a refused note's reason belongs to, and what to say.
# The field a note's refusal (InvalidNote's `reason`) is shown beside; its message is
# web.errors.domain_message's, as everywhere.
INVALID_NOTE_FIELDS = {
    "empty": "text",
    "too_long": "text",
    "stage_required": "stage_id",
    "unknown_stage": "stage_id",
    "unknown_persona": "persona_id",
    "source_required": "source",
    "channel_required": "channel",
    "unknown_touchpoint": "touchpoint_id",
    "unknown_pain_point": "pain_point_id",
    "kind": "kind",
}


def _enum_or_none(enum_class, value):
    try:
        return enum_class(value) if value else None
    except ValueError:
        return None


def linked_choice(note: Note) -> SelectChoice:
    """A touchpoint or pain point to link a note to, with its stage: choosing it sets the
    form's stage (live.js), so that a pain point stands at its touchpoint and an answer
    where it hurts, not in the stage the form kept from the note before."""
    stage = {} if note.stage_id is None else {"data-stage": str(note.stage_id)}
    return SelectChoice(str(note.id), choice_label(note.text), render_kw=stage)


class NoteForm(AppForm):
    kind = HiddenField()  # set from the URL by the view
    text = TextAreaField(
        _l("Your note"),
        validators=required_text(NOTE_TEXT_MAX),
        filters=[strip],
        render_kw={"maxlength": NOTE_TEXT_MAX, "rows": 3},
    )
    stage_id = SelectField(_l("Stage"), coerce=optional_id, validate_choice=False)
    persona_id = SelectField(_l("Persona"), coerce=optional_id, validate_choice=False)
    source = SelectField(_l("Source"), validate_choice=False)
    channel = SelectField(_l("Channel"), validate_choice=False)
    touchpoint_id = SelectField(
        _l("At touchpoint (optional)"), coerce=optional_id, validate_choice=False
    )
    pain_point_id = SelectField(
        _l("Answers pain point (optional)"), coerce=optional_id, validate_choice=False
    )
    # Made once per note on the phone; a retry of the same submission sends it again.
    idempotency_key = HiddenField(default=lambda: secrets.token_urlsafe(16))

    def fill_choices(self, workshop: Workshop, touchpoints=(), pain_points=()) -> None:
        none = SelectChoice("", "—")
        # A choice the note needs reads as a prompt (and the list says it is required): a
        # "—" looked like a fine answer, and the note was refused.
        choose = SelectChoice("", _l("Choose…"))
        kind = self.note_kind()
        self.stage_id.choices = [
            choose if kind in STAGE_REQUIRED else none,
            *(SelectChoice(str(s.id), s.name) for s in workshop.stages),
        ]
        for field, needed in (
            (self.stage_id, kind in STAGE_REQUIRED),
            (self.source, kind is NoteKind.INSIGHT),
            (self.channel, kind is NoteKind.TOUCHPOINT),
        ):
            field.flags.required = needed
        self.persona_id.choices = [
            none,
            *(SelectChoice(str(p.id), p.name) for p in workshop.personas),
        ]
        self.source.choices = [
            choose,
            *(SelectChoice(k.value, v) for k, v in SOURCE_LABELS.items()),
        ]
        self.channel.choices = [
            choose,
            *(SelectChoice(k.value, v) for k, v in CHANNEL_LABELS.items()),
        ]
        self.touchpoint_id.choices = [none, *map(linked_choice, touchpoints)]
        self.pain_point_id.choices = [none, *map(linked_choice, pain_points)]

    def note_kind(self) -> NoteKind | None:
        try:
            return NoteKind(self.kind.data)
        except ValueError:
            return None

    def note_fields(self) -> service.NoteFields:
        return service.NoteFields(
            kind=self.note_kind() or NoteKind.INSIGHT,
            text=self.text.data or "",
            stage_id=self.stage_id.data,
            persona_id=self.persona_id.data,
            source=_enum_or_none(ResearchSource, self.source.data),
            channel=_enum_or_none(Channel, self.channel.data),
            touchpoint_id=self.touchpoint_id.data,
            pain_point_id=self.pain_point_id.data,
        )

    def keep_for_resend(self, message: str) -> None:
        """Refused as a whole: say why beside the text, which stays, under a fresh key (this
        text was never saved; sent again, it is a new note)."""
        self.text.errors = [*self.text.errors, message]
        self.idempotency_key.data = secrets.token_urlsafe(16)

    def refuse(self, error: InvalidNote) -> None:
        """Put a domain refusal next to the field it is about."""
        name = INVALID_NOTE_FIELDS.get(error.reason, "text")
        getattr(self, name).errors = [*getattr(self, name).errors, domain_message(error)]


def note_form(session, workshop: Workshop, kind: NoteKind, *, submitted: bool) -> NoteForm:
    """The form for one kind of note (prefixed by the kind, so that several fit on a page),
    empty or filled from the request, with its choices."""
    return offer_choices(session, workshop, _bare_form(kind, submitted=submitted))


def posted_note_form(kind: NoteKind) -> NoteForm:
    """A new note's form as posted, without its choices: a note that is saved never shows
    them (reading the stages, personas and linkable notes was a tenth of a note's POST).
    Shown again, it gets them from `offer_choices`."""
    return _bare_form(kind, submitted=True)


def _bare_form(kind: NoteKind, *, submitted: bool) -> NoteForm:
    form = NoteForm(prefix=kind.value, **({} if submitted else {"formdata": None}))
    form.kind.data = kind.value
    return form


def offer_choices(session, workshop: Workshop, form: NoteForm) -> NoteForm:
    """Fill the form's choices. A pain point may name its touchpoint: the room's, in the
    map's order; an opportunity answers a pain point: the room's, those with most dots first. Other kinds link nothing (and read
    no other notes)."""
    kind = form.note_kind()
    form.fill_choices(
        workshop,
        journey_map.room_notes(session, workshop, NoteKind.TOUCHPOINT)
        if kind is NoteKind.PAIN_POINT
        else [],
        [note for note, _dots in ranked_pain_points(workshop)]
        if kind is NoteKind.OPPORTUNITY
        else [],
    )
    return form


def edit_form(session, workshop: Workshop, note: Note, *, submitted: bool) -> NoteForm:
    """The form to edit a note: filled from the request, or from the note itself."""
    form = note_form(session, workshop, note.kind, submitted=submitted)
    if not submitted:
        form.process(
            obj=note,
            data={
                "source": note.source and note.source.value,
                "channel": note.channel and note.channel.value,
            },
        )
        form.kind.data = note.kind.value
    return form


def forms_for_step(session, workshop: Workshop, step) -> dict[NoteKind, NoteForm]:
    """A fresh form for every kind of note the step collects."""
    return {
        kind: note_form(session, workshop, kind, submitted=False) for kind in STEP_NOTE_KINDS[step]
    }


CLOSED_NOTE = _l("This workshop has been closed: it takes no new notes. Your text is kept here.")


@dataclass
class Posted:
    """A note posted from a phone or the console: saved (with the screen's answer made
    before the commit: once the note is saved, no failing read may tell the screen it was
    not, and it would send it again), or refused, with the forms to show again."""

    status: int
    note: Note | None = None
    answer: str | None = None  # the note as this screen shows it (htmx)
    forms: dict[NoteKind, NoteForm] | None = None


def post_note(
    workshop: Workshop, kind: str, viewer: Viewer, participant: Participant | None = None
) -> Posted:
    """Add the note posted in the form of `kind`, and commit; or say why not in its form,
    the text kept, with nothing written."""
    try:
        note_kind = NoteKind(kind)
    except ValueError:
        abort(404)
    form = posted_note_form(note_kind)
    status = 422
    if form.validate_on_submit():
        try:
            note = service.add_note(
                db.session,
                workshop,
                form.note_fields(),
                form.idempotency_key.data,
                participant=participant,
            )
        except InvalidNote as error:
            form.refuse(error)
        except (
            StepClosed,
            WorkshopClosed,
            ParticipantRemoved,
            IdempotencyConflict,
            IdempotencyKeyReused,
        ) as error:  # say why, keep the text
            db.session.rollback()
            said = CLOSED_NOTE if isinstance(error, WorkshopClosed) else domain_message(error)
            form.keep_for_resend(str(said))
            status = error.status
        else:
            answer = render_for(note, viewer, csrf_token()) if is_htmx() else None
            db.session.commit()
            return Posted(201, note, answer)
    forms = forms_for_step(db.session, workshop, workshop.current_step) | {
        note_kind: offer_choices(db.session, workshop, form)
    }
    return Posted(status, forms=forms)


@dataclass(frozen=True)
class NoteFacts:
    """What decides how a note looks to each viewer, read at one moment: when a page is
    rendered, or when a live event about the note is delivered (never when a stream opened,
    so settings changed mid-session count at once)."""

    id: int
    step: str
    stage_id: int | None
    kind: str
    author_id: int | None
    public: bool  # the room sees it (not hidden, merged or private before the reveal)
    accepting: bool  # its step takes changes from participants now
    anonymous: bool

    @classmethod
    def of(cls, note: Note | live.LiveNote) -> NoteFacts:
        return cls(
            id=note.id,
            step=note.step.value,
            stage_id=note.stage_id,
            kind=note.kind.value,
            author_id=note.author_id,
            public=visible_to_room(note),
            accepting=presession.takes_notes(note.workshop, note.step, utcnow()),
            anonymous=note.workshop.anonymous,
        )


@dataclass(frozen=True)
class Viewer:
    """Who looks at a list of notes: the console (facilitator and co-facilitators), the
    board, or one participant's phone. The one rule for which notes they see and how; the
    pages and the live stream both ask it."""

    screen: Literal["console", "board", "phone"]
    participant_id: int | None = None
    active: bool = True  # a participant the facilitator removed changes nothing any more

    def presentation(self, facts: NoteFacts) -> tuple[str, bool] | None:
        """(variant of _note.html, show the author) for this viewer, None: not shown."""
        if self.screen == "console":
            return "console", True
        if self.screen == "board":
            return ("board", not facts.anonymous) if facts.public else None
        own = facts.author_id is not None and facts.author_id == self.participant_id
        if not (own or facts.public):
            return None
        mine_to_change = own and facts.accepting and self.active
        return ("phone-own" if mine_to_change else "phone"), not facts.anonymous

    def present(self, note: Note) -> tuple[str, bool] | None:
        return self.presentation(NoteFacts.of(note))

    def sees(self, note: Note) -> bool:
        return self.present(note) is not None


def render_for(note: Note, viewer: Viewer, csrf: str = "") -> str:
    """A note as this viewer's page shows it (the caller knows they may see it)."""
    presentation = viewer.present(note)
    assert presentation is not None, "a note this viewer does not see"
    return render_note(note, *presentation, csrf=csrf)


def note_renderer(viewer: Viewer) -> Callable[[int, int], str | None]:
    """What a stream opened by this request sends its viewer for a note event: made in the
    request (its language, its script root), used by a stream that keeps no request."""
    return partial(live_note, viewer, str(get_locale()), request.script_root)


def live_note(
    viewer: Viewer, locale: str, script_root: str, note_id: int, event_id: int
) -> str | None:
    """A note event's data for this viewer, in `locale` (the stream's, asked once: a room's
    streams each ask for every note), serialized (None: the note is gone for them).

    The note and its facts are read once per process and event: all streams of a process
    wake for the event at once and wait for that one read. Each fragment (variant, author
    shown, language) is then rendered once per process, when the first stream that needs it
    asks: a process holding only phones never renders the console's or the board's, and only
    the process holding the author's phone renders "phone-own".
    """
    loaded = live.once_per_process(("note", event_id), lambda: _loaded(event_id, note_id))
    if loaded is None:
        return None
    facts, note = loaded
    presentation = viewer.presentation(facts)
    if presentation is None:
        return None
    return live.once_per_process(
        ("fragment", event_id, locale, script_root, presentation),
        lambda: _fragment(note, facts, presentation, locale, script_root),
    )


def _loaded(event_id: int, note_id: int) -> tuple[NoteFacts, live.LiveNote] | None:
    """The note as its fragments read it (live.note_of_event), and its facts."""
    note = live.note_of_event(event_id, note_id)
    return None if note is None else (NoteFacts.of(note), note)


def _fragment(
    note: live.LiveNote,
    facts: NoteFacts,
    presentation: tuple[str, bool],
    locale: str,
    script_root: str,
) -> str:
    """Rendered in a stream, which has no request: in the stream's language, with links
    built as a page's are (paths under the app's script root). Making up a request for
    them cost more than rendering the note."""
    common = {"id": facts.id, "step": facts.step, "stage": facts.stage_id, "kind": facts.kind}
    paths = current_app.url_map.bind("cjm.invalid", script_name=script_root or "/")
    with force_locale(locale):
        html = render_note(
            note, *presentation, url_for=lambda endpoint, **values: paths.build(endpoint, values)
        )
    return live.as_data(common | {"html": html})


def render_note(
    note: Note | live.LiveNote,
    variant: str,
    show_author: bool,
    csrf: str = "",
    url_for: Callable[..., str] = url_for,
) -> str:
    """One note as the board ("board"), the console ("console") or a phone ("phone",
    "phone-own") shows it. The only place that knows a note's markup is _note.html.
    Streamed notes are shared by many sessions and carry no CSRF token (csrf=""): the page's
    script fills in its own. Where there is no request, `url_for` builds the links."""
    return render_template(
        "notes/_note.html",
        note=note,
        variant=variant,
        show_author=show_author,
        csrf=csrf,
        url_for=url_for,
    )
