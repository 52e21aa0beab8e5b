"""What every view of the journey map needs: the map, who sees authors, and its address.

The facilitator arranges the map ("arrange"); the projector and the poster preview show the
room's map ("map"), phones the same notes a stage at a time ("phone"). The room's and the
phones' map is the same for everyone watching, so it is rendered once per process and
change (keyed by the latest live event) however many screens ask for it.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from cjm_workshop import live
from cjm_workshop.extensions import db
from cjm_workshop.labels import LANE_LABELS
from cjm_workshop.models import Workshop
from cjm_workshop.services import journey_map
from cjm_workshop.services.journey_map import NOTE_LANES
from cjm_workshop.web.htmx import is_htmx

TEMPLATES = {"arrange": "map/_map.html", "map": "map/_map.html", "phone": "map/_phone.html"}


def persona_filter(workshop: Workshop) -> int | None:
    """?persona=<id> when it names one of the workshop's personas."""
    wanted = request.args.get("persona", type=int)
    return wanted if wanted in {persona.id for persona in workshop.personas} else None


def map_context(
    workshop: Workshop,
    variant: str,
    map_src: str,
    persona_id: int | None = None,
    last_event: int | None = None,
) -> dict:
    if last_event is None:  # read before the map: the map is never older than this
        last_event = live.latest_event_id(db.session)
    journey = journey_map.load_map(
        db.session, workshop, room=variant != "arrange", persona_id=persona_id
    )
    context = {
        "journey": journey,
        "show_author": variant == "arrange" or not workshop.anonymous,
        "variant": "arrange" if variant == "arrange" else "map",  # of the notes
        "map_src": map_src,
        "last_event": last_event,
        "persona_id": persona_id,
    }
    if variant == "arrange":
        note_url = url_for("facilitate.move_note", workshop_id=workshop.id, note_id=0)
        context |= {
            "map_urls": {
                "note": note_url.removesuffix("0/move"),
                "lane": url_for("facilitate.lane", workshop_id=workshop.id, lane_id=0)[:-1],
                "spotlight": url_for("facilitate.spotlight", workshop_id=workshop.id, back="map"),
            },
            "lane_options": _lane_options(workshop),
            "t": _card_texts(),
        }
    return context


def _lane_options(workshop: Workshop) -> dict[str, Markup]:
    """The "to lane" choices of a card, per kind of note (built once, not per card)."""
    kinds = [lane.kind for lane in workshop.lanes if lane.kind in NOTE_LANES]
    return {
        current.value: Markup("").join(
            Markup('<option value="{}"{}>{}</option>').format(
                kind.value, Markup(" selected") if kind is current else "", LANE_LABELS[kind]
            )
            for kind in kinds
        )
        for current in kinds
    }


def _card_texts() -> dict[str, str]:
    """What every card on the facilitator's map says, translated once per render."""
    return {
        "pick": _("Select to merge"),
        "left": _("Move to the previous stage"),
        "right": _("Move to the next stage"),
        "up": _("Move up"),
        "down": _("Move down"),
        "more": _("More for this note"),
        "lane": _("Lane"),
        "to_lane": _("To lane"),
        "edit": _("Edit"),
        "hide": _("Hide from the map"),
        "show": _("Show on the map"),
        "unmerge": _("Undo merge"),
        "spotlight": _("Spotlight on the board"),
    }


def render_map(
    workshop: Workshop,
    variant: str,
    map_src: str,
    persona_id: int | None = None,
    last_event: int | None = None,
    **extra,
) -> str:
    """The map region alone (what a screen fetches when the map changed)."""
    context = map_context(workshop, variant, map_src, persona_id, last_event)
    return Markup(render_template(TEMPLATES[variant], **context, **extra))  # noqa: S704 (escaped by Jinja)


def shared_map(workshop: Workshop, variant: str, map_src: str, persona_id: int | None = None):
    """The room's or the phones' map region, built once per change for every screen of one
    kind: the projector and a remote participant's board show the same map but reload it
    from different addresses (`map_src`), so that is part of what is built."""
    last_event = live.latest_event_id(db.session)
    key = ("map", workshop.id, variant, map_src, persona_id, last_event, str(get_locale()))
    return live.once_per_process(
        key, lambda: render_map(workshop, variant, map_src, persona_id, last_event)
    )


# --- the facilitator's map


def arrange_src(workshop: Workshop, persona_id: int | None) -> str:
    """Where the facilitator's map region reloads from."""
    return url_for("facilitate.map_page", workshop_id=workshop.id, part="map", persona=persona_id)


def back_to_map(workshop: Workshop, announce: str = "", anchor: str | None = None):
    """After a change: the new map region (htmx), or the map page again (plain forms)."""
    if is_htmx():
        return render_map(workshop, "arrange", arrange_src(workshop, None), announce=announce)
    if announce:
        flash(announce, "success")
    return redirect(url_for("facilitate.map_page", workshop_id=workshop.id, _anchor=anchor), 303)
