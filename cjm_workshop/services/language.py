"""A note's language, guessed from its words: a room writes Dutch and English side by side,
and each note is marked up in its own (screen readers read it in that language; the board
and the poster hyphenate it by that language's rules, not the workshop's: "biblio-theek").

The words are FreeDict's Dutch headwords and the English words they translate to (the
file services/duplicates.py reads too). A note is Dutch when more of its words are only
Dutch than only English, English the other way round, else in the workshop's language
(words of both, "app", "is", and words of neither, names, typos).
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import lru_cache

from cjm_workshop.services.duplicates import DICTIONARY

LANGUAGES = ("nl", "en")  # what can be told apart
_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _vocabularies() -> tuple[frozenset[str], frozenset[str]]:
    """(Dutch words, English words), single words only; read once per process (0.1 s)."""
    dutch: set[str] = set()
    english: set[str] = set()
    with gzip.open(DICTIONARY, "rt", encoding="utf-8") as pairs:
        for line in pairs:
            head, _, translations = line.rstrip("\n").partition("\t")
            dutch.update(word for word in [_plain(head)] if _WORD.fullmatch(word))
            english.update(
                word for word in map(_plain, translations.split("|")) if _WORD.fullmatch(word)
            )
    return frozenset(dutch), frozenset(english)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=8192)
def language_of(text: str, default: str) -> str:
    """ "nl" or "en" where the words say so, else `default` (the workshop's language)."""
    if default not in LANGUAGES:
        return default
    dutch, english = _vocabularies()
    words = _WORD.findall(_plain(text))
    only_dutch = sum(word in dutch and word not in english for word in words)
    only_english = sum(word in english and word not in dutch for word in words)
    if only_dutch == only_english:
        return default
    return "nl" if only_dutch > only_english else "en"
