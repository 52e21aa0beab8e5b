"""Domain tests: suggested duplicates (grouping, "not duplicates" remembered, merging)."""

from __future__ import annotations

import itertools
from unittest import mock

import pytest
from sqlalchemy import select

from cjm_workshop.models import DismissedDuplicate, LaneKind, Note, Workshop
from cjm_workshop.services import duplicates, journey_map, notes
from cjm_workshop.services.duplicates import NoteText, suggest_groups
from cjm_workshop.services.errors import SuggestionOutdated, SuggestionRefused
from tests.factories import live_events, row_counts

# A room's notes, numbered; the pairs that say the same thing and some that only share words.
ROOM = {
    1: "Lange wachttijd aan de telefoon",
    2: "lang wachten aan de telefoon",
    3: "long wait on the phone",  # English
    5: "App crasht bij betalen",
    6: "app crashed tijdens betaling",  # verb and noun forms
    7: "App is traag bij inloggen",  # shares "app" and "bij" only
    8: "verzendkosten pas zichtbaar bij afrekenen",
    9: "Verzendkosten pas zichtbaar bij de checkout",  # a synonym of the method's words
    10: "Kortingscode werkt niet",
    11: "kortingscod werkt niet!!",  # a typo
    12: "Fietsen reserveren",
    13: "fiets vooraf reserveren",  # plural, word order
    14: "Wachtkamer is vol",
    15: "Routebeschrijving op de website",
}
SAME = [{1, 2, 3}, {5, 6}, {8, 9}, {10, 11}, {12, 13}]
NOT_SAME = [(5, 7), (6, 7), (1, 14), (2, 14), (8, 10), (12, 15), (1, 5)]


def pairs(groups) -> set[tuple[int, int]]:
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}


def test_the_grouping_finds_the_known_pairs_and_not_the_look_alikes():
    groups = suggest_groups([NoteText(number, text) for number, text in ROOM.items()])
    found = pairs(groups)
    assert pairs(SAME) <= found
    for pair in NOT_SAME:
        assert pair not in found, pair
    assert sorted(map(sorted, groups)) == sorted(map(sorted, SAME))


@pytest.mark.parametrize(
    ("dutch", "english"),
    [
        ("handtekening vergeten", "forgot the signature"),
        ("lift doet het niet", "elevator does not work"),
        ("zeep op in het toilet", "no soap in the toilet"),
    ],
)
def test_a_note_and_its_translation_are_found_through_the_dictionary(dutch, english):
    """FreeDict's word pairs find notes that say the same in the other language, where
    the synonym table has none of their words."""
    room = [NoteText(1, dutch), NoteText(2, english), NoteText(3, "Wachtkamer is vol")]
    assert suggest_groups(room) == [[1, 2]]
    with mock.patch.object(duplicates, "translations", dict):
        assert suggest_groups(room) == []


def test_a_pair_apart_on_the_map_needs_to_be_closer():
    """Notes in another stage and lane (the demo's "Zoekt 'tandarts in de buurt' op
    Google", a touchpoint, and "Zoekt een tijd die past naast werk en school", a customer
    action in another stage) share only a rare word or two; the same words in one stage and
    lane are worth the facilitator's look, and one note restated is found anywhere."""
    first, second = "Zoekt tandarts in de buurt op Google", "Zoekt een tijd naast werk"
    together = [NoteText(1, first, "touchpoint", "7"), NoteText(2, second, "touchpoint", "7")]
    assert suggest_groups(together) == [[1, 2]]
    apart = [NoteText(1, first, "touchpoint", "7"), NoteText(2, second, "customer_action", "8")]
    assert suggest_groups(apart) == []
    same = [NoteText(1, "lange wachttijd", "insight", "7"), NoteText(2, "long wait", "pain_point")]
    assert suggest_groups(same) == [[1, 2]]


def test_the_grouping_does_not_chain_look_alikes_into_one_group():
    # B is like A and like C, but A and C say different things.
    room = [
        NoteText(1, "verzendkosten te hoog"),
        NoteText(2, "verzendkosten te hoog en levering traag"),
        NoteText(3, "levering traag"),
    ]
    assert suggest_groups(room, link=0.0) == [[1, 2, 3]]  # a chain, without the link rule
    groups = suggest_groups(room)
    assert len(groups) == 1 and 2 in groups[0]
    assert not any({1, 3} <= set(group) for group in groups)


def test_a_dismissed_pair_is_left_out_and_the_rest_of_the_group_stays():
    room = [NoteText(number, ROOM[number]) for number in (1, 2, 3, 5, 6)]
    groups = suggest_groups(room, dismissed=frozenset({(5, 6)}))
    assert groups == [[1, 2, 3]]


def test_only_notes_that_share_a_word_are_compared(monkeypatch):
    """What keeps 200 notes well under a second (bench/duplicates.py times it): eight
    topics of 25 notes are 8 x 300 comparisons, not the 19,900 of every two notes."""
    topics = ["app", "wachten", "telefoon", "betalen", "fiets", "winkel", "mail", "balie"]
    room = [NoteText(number, topics[number % 8]) for number in range(200)]
    compared = []
    real = duplicates.similarity
    monkeypatch.setattr(
        duplicates, "similarity", lambda *args: compared.append(args) or real(*args)
    )
    duplicates.pair_scores(room, 0.2)
    assert len(compared) == 8 * 300


@pytest.fixture
def room(make):
    workshop = make.workshop()
    anna, bob = make.participant(workshop, "Anna"), make.participant(workshop, "Bob")
    ids = {
        "phone": make.note(workshop, anna, ROOM[1], kind="pain_point"),
        "wait": make.note(workshop, bob, ROOM[2], kind="pain_point"),
        "crash": make.note(workshop, anna, ROOM[5], kind="pain_point"),
        "slow": make.note(workshop, bob, ROOM[7], kind="pain_point"),
        "crashed": make.note(workshop, bob, ROOM[6], kind="touchpoint"),  # across lanes
    }
    return workshop, ids


def texts(groups) -> list[list[str]]:
    return [[note.text for note in group] for group in groups]


def test_suggestions_leave_out_hidden_merged_and_dismissed_notes(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    found = duplicates.suggestions(session, workshop)
    assert sorted(map(sorted, texts(found))) == sorted(
        [sorted([ROOM[1], ROOM[2]]), sorted([ROOM[5], ROOM[6]])]
    )
    notes.set_hidden(session, session.get(Note, ids["phone"]), True)
    assert texts(duplicates.suggestions(session, workshop)) == [[ROOM[5], ROOM[6]]]
    touchpoints = next(lane for lane in workshop.lanes if lane.kind is LaneKind.TOUCHPOINT)
    journey_map.set_lane_hidden(session, workshop, touchpoints, True)  # "crashed" is one
    assert duplicates.suggestions(session, workshop) == []
    journey_map.set_lane_hidden(session, workshop, touchpoints, False)
    crash, crashed = session.get(Note, ids["crash"]), session.get(Note, ids["crashed"])
    duplicates.dismiss_group(session, workshop, [crash, crashed])
    session.commit()
    assert duplicates.suggestions(session, workshop) == []


def test_not_duplicates_is_remembered_and_a_new_look_alike_makes_a_new_group(session, room, make):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    group = [session.get(Note, ids["crash"]), session.get(Note, ids["crashed"])]
    before = live_events(session, workshop)
    duplicates.dismiss_group(session, workshop, group)
    # The facilitator's other tabs (map page, console) reload their live part.
    assert live_events(session, workshop) == [*before, ("map", None)]
    duplicates.dismiss_group(session, workshop, group)  # twice: still one row per pair
    session.commit()
    assert session.scalars(select(DismissedDuplicate)).all()[0].note_id == min(
        ids["crash"], ids["crashed"]
    )
    assert len(session.scalars(select(DismissedDuplicate)).all()) == 1
    assert ROOM[5] not in str(texts(duplicates.suggestions(session, workshop)))
    # Someone adds the same point again: it is suggested with the note it is closest to,
    # and the two notes dismissed together are still never suggested together.
    later = make.note(record, None, "app crasht bij het betalen", kind="pain_point")
    session.commit()  # a new transaction sees it
    groups = [{note.id for note in group} for group in duplicates.suggestions(session, workshop)]
    assert any(later in group for group in groups)
    assert not any({ids["crash"], ids["crashed"]} <= group for group in groups)


def test_an_answer_is_never_the_duplicate_of_what_it_answers(session, make):
    """An opportunity repeats the words of the pain point it answers, a pain point those of
    the touchpoint it happens at: neither is suggested as the other's duplicate, though the
    words alone would group them. Look-alike opportunities still are."""
    seen = [
        ("Pincode herstellen duurt dagen", "pain_point"),
        ("Pincode herstellen in een dag", "opportunity"),
        ("Verlengen op de website", "touchpoint"),
        ("verlengen op de website lukt niet", "pain_point"),
        ("Boete betalen aan de balie", "pain_point"),
        ("Reserveren via de app", "touchpoint"),
    ]
    words_only = [NoteText(n, text) for n, (text, _kind) in enumerate(seen)]
    assert suggest_groups(words_only) == [[0, 1], [2, 3]]
    with_kinds = [NoteText(n, text, kind) for n, (text, kind) in enumerate(seen)]
    assert suggest_groups(with_kinds) == [[2, 3]]  # only the link keeps these two apart

    record = make.workshop()
    anna = make.participant(record, "Anna")
    ids = []
    for text, kind in seen:
        links = {"touchpoint": ids[2]} if text.startswith("verlengen") else {}
        ids.append(make.note(record, anna, text, kind=kind, **links))
    make.note(record, None, "pincode herstellen binnen een dag", kind="opportunity")
    found = duplicates.suggestions(session, session.get(Workshop, record.id))
    assert list(map(sorted, texts(found))) == [
        ["Pincode herstellen in een dag", "pincode herstellen binnen een dag"]
    ]


def test_deleting_a_note_forgets_its_dismissed_pairs(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    crash = session.get(Note, ids["crash"])
    duplicates.dismiss_group(session, workshop, [crash, session.get(Note, ids["crashed"])])
    session.commit()
    notes.delete_note(session, crash)
    session.commit()
    assert session.scalars(select(DismissedDuplicate)).all() == []


def test_merging_from_a_suggestion_uses_the_maps_merge(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    before = live_events(session, workshop)
    group = duplicates.suggested_notes(session, workshop, [ids["phone"], ids["wait"]])
    keep = group[1]
    duplicates.merge_suggestion(session, workshop, keep, group)
    session.commit()
    assert session.get(Note, ids["phone"]).merged_into_id == ids["wait"]
    assert session.get(Note, ids["wait"]).merged_into_id is None
    assert live_events(session, workshop)[len(before) :] == [("map", ids["wait"])]
    assert [ROOM[1], ROOM[2]] not in texts(duplicates.suggestions(session, workshop))


@pytest.mark.parametrize(
    ("change", "error", "reason"),
    [
        ("delete", SuggestionOutdated, "gone"),
        ("merge", SuggestionOutdated, "merged"),
        ("hide", SuggestionOutdated, "hidden"),
        ("foreign", SuggestionRefused, "other_workshop"),
        ("one", SuggestionRefused, "too_few"),
    ],
)
def test_a_suggestion_changed_meanwhile_is_refused_and_nothing_written(
    session, room, make, change, error, reason
):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    chosen = [ids["crash"], ids["crashed"]]
    crash = session.get(Note, ids["crash"])
    if change == "delete":
        notes.delete_note(session, crash)
    elif change == "merge":
        duplicates.merge_suggestion(
            session,
            workshop,
            session.get(Note, ids["slow"]),
            [crash, session.get(Note, ids["slow"])],
        )
    elif change == "hide":
        notes.set_hidden(session, crash, True)
    elif change == "foreign":
        chosen.append(make.note(make.workshop(), None, ROOM[5]))
    else:
        chosen = [ids["crash"], ids["crash"]]
    session.commit()
    counts = row_counts(session)
    with pytest.raises(error) as refused:
        duplicates.suggested_notes(session, workshop, chosen)
    assert refused.value.reason == reason
    session.rollback()
    assert row_counts(session) == counts


def test_merge_needs_the_kept_note_to_be_one_of_the_group(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    group = duplicates.suggested_notes(session, workshop, [ids["crash"], ids["crashed"]])
    with pytest.raises(SuggestionRefused) as refused:
        duplicates.merge_suggestion(session, workshop, session.get(Note, ids["slow"]), group)
    assert refused.value.reason == "keep_one"
    assert session.get(Note, ids["crash"]).merged_into_id is None


def test_a_typo_in_a_word_of_the_synonym_table_still_finds_its_pair():
    """Seen in a rehearsal: "Confirmaton email" was never paired with "Confirmation e-mail"
    (the table maps the right spelling only; typos were compared after it)."""
    notes_ = [
        NoteText(1, "Confirmation e-mail"),
        NoteText(2, "Confirmaton email"),
        NoteText(3, "Registartie duurt lang"),
        NoteText(4, "registratie duurt te lang"),
        NoteText(5, "Parking at the station"),
    ]
    assert sorted(map(sorted, suggest_groups(notes_))) == [[1, 2], [3, 4]]


def test_past_the_most_notes_compared_suggestions_say_so_instead(session, room, monkeypatch):
    """Comparing grows with the square of the notes (an import brings 2,000): past
    COMPARED_AT_MOST the map and console are told there are too many, not made to wait."""
    record, _ = room
    workshop = session.get(Workshop, record.id)
    assert duplicates.suggestions(session, workshop)
    monkeypatch.setattr(duplicates, "COMPARED_AT_MOST", 3)
    assert duplicates.suggestions(session, workshop) is None


def test_an_unknown_compound_is_read_as_the_known_words_it_is_made_of():
    assert duplicates.words("polisvoorwaarden") == duplicates.words("polis voorwaarden")
    assert duplicates.words("schade-expert") == duplicates.words("schade expert")
    assert duplicates.words("wachtkamer") == ("wachtkamer",)  # a word the dictionary knows
    room = [NoteText(1, "polisvoorwaarden onleesbaar"), NoteText(2, "policy terms unreadable")]
    assert suggest_groups(room) == [[1, 2]]
