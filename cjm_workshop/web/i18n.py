"""Which language a page speaks: a shared screen the workshop's; else the visitor's own
choice, else the workshop's for a participant's page (unless their browser reads only other
languages we have), else the browser's, else English."""

from __future__ import annotations

import flask_babel
from flask import g, request

from cjm_workshop.models.workshop import LANGUAGES

LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}
LANGUAGE_COOKIE = "cjm_lang"


def select_locale() -> str:
    spoken = g.get("cjm_language")
    if spoken:  # a shared screen: the workshop's language, whoever opened it
        return spoken
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    browser = request.accept_languages.best_match(LANGUAGES)
    room = g.get("cjm_room_language")
    if room and (browser is None or _accepts(room)):
        return room
    return browser or "en"


def _accepts(language: str) -> bool:
    """The browser lists `language` among those its user reads (in any region)."""
    return any(
        value.split("-")[0].lower() == language and quality > 0
        for value, quality in request.accept_languages
    )


def speak(language: str) -> None:
    """This page speaks `language` whatever the visitor chose: the projector speaks the
    workshop's language to the room."""
    g.cjm_language = language
    flask_babel.refresh()


def room_language(language: str) -> None:
    """This page belongs to a workshop held in `language`: a phone speaks it unless its
    user chose another language, or their browser reads only others we have."""
    if g.get("cjm_room_language") != language:
        g.cjm_room_language = language
        flask_babel.refresh()
