"""A note's own language (services/language.py), from its words."""

from __future__ import annotations

import pytest

from cjm_workshop.services.language import language_of


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Betaalpagina loopt af voordat je klaar bent", "nl"),
        ("Herinnering ook per sms sturen", "nl"),
        ("lange rij bij de receptie", "nl"),
        ("Payment page times out before you finish", "en"),
        ("city tax added at the very end", "en"),
        ("decision letter full of legal jargon", "en"),
    ],
)
def test_a_note_is_in_the_language_its_words_are(text, language):
    assert language_of(text, "en") == language
    assert language_of(text, "nl") == language


@pytest.mark.parametrize("text", ["", "DigiD", "app", "!!!", "12:30"])
def test_words_of_both_or_of_neither_leave_the_workshops_language(text):
    assert language_of(text, "en") == "en"
    assert language_of(text, "nl") == "nl"


def test_a_workshop_language_it_cannot_tell_is_kept():
    assert language_of("Betaalpagina loopt af", "de") == "de"
