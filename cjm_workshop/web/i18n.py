"""Which language a page speaks: the visitor's own choice, else the browser's, else English."""

from __future__ import annotations

from flask import request

LANGUAGES = ("en", "nl")
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}
LANGUAGE_COOKIE = "cjm_lang"


def select_locale() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"
