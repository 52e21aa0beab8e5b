"""What fits: densities, shortened texts and the map's height, for any number of notes."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from cjm_workshop.poster import layout

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzëé-ABC.,!?0123456789", min_size=1, max_size=40)
texts = st.lists(words, min_size=0, max_size=60).map(" ".join)


@given(texts, st.integers(min_value=4, max_value=60), st.integers(min_value=1, max_value=8))
def test_a_shortened_text_fits_its_lines(text, chars_per_line, lines):
    short = layout.shorten(text, chars_per_line, lines)
    wrapped = layout.wrap(short, chars_per_line)
    assert len(wrapped) <= lines
    assert all(len(line) <= chars_per_line for line, _ in wrapped)
    whole = " ".join(text.split())
    if short.endswith(layout.ELLIPSIS) and not whole.endswith(layout.ELLIPSIS):
        kept = short.removesuffix(layout.ELLIPSIS).replace(" ", "")
        assert whole.replace(" ", "").startswith(kept)
    else:
        assert short == whole


def test_short_texts_stay_whole_and_long_ones_end_in_an_ellipsis():
    assert layout.shorten("  No  free slots\nshown ", 20, 2) == "No free slots shown"
    cut = layout.shorten("The form asks three times for the same address, twice", 20, 2)
    assert cut.endswith("…") and cut.startswith("The form asks three")
    assert layout.shorten("x" * 50, 10, 2) == "x" * 10 + "x" * 9 + "…"
    # Cut after the last whole word, not inside the next ("moet j…" on a rehearsal's poster).
    assert layout.shorten("abcde fghijk lmn", 12, 1) == "abcde…"
    assert layout.shorten("Ze moet je telefoon vasthouden", 12, 1) == "Ze moet je…"


cells = st.lists(st.lists(st.integers(0, 120), min_size=1, max_size=8), min_size=1, max_size=6)


@given(cells, st.booleans())
def test_the_lanes_never_need_more_than_the_map_has(counts, curve):
    columns = len(counts[0])
    counts = [(lane + [0] * columns)[:columns] for lane in counts]
    fit = layout.fit(counts, columns, curve)
    assert sum(fit.lane_heights) <= layout.map_height(curve) + 0.01
    assert fit.per_row * fit.card_width + (fit.per_row - 1) * layout.CARD_GAP <= (
        fit.column_width - 2 * layout.CELL_PAD - layout.CELL_BORDER
    )
    assert fit.chars_per_line >= 4 and fit.lines(1) >= 1


def test_twenty_notes_are_generous_and_three_hundred_fit_on_a1():
    def spread(total, lanes=5, columns=6):
        rng = random.Random(7)
        counts = [[0] * columns for _ in range(lanes)]
        for _ in range(total):
            counts[rng.randrange(lanes)][rng.randrange(columns)] += 1
        return counts

    few = layout.fit(spread(20), 6, True)
    assert few.density.name in {"large", "roomy"}
    many_counts = spread(300)
    many = layout.fit(many_counts, 6, True)
    assert all(
        count <= many.capacity(lane) for lane, row in enumerate(many_counts) for count in row
    ), "every one of 300 notes has its card"
    assert many.density.font >= 1.9  # 5.4 pt on A1: readable from arm's length


def test_long_words_hyphenate_in_the_workshops_language():
    # Dutch compounds break where Dutch hyphenates them, and the renderer draws the hyphen.
    assert layout.wrap("de afsprakenbevestigingsmail", 12, "nl") == [
        ("de", layout.SPACE),
        ("afsprakenbe", layout.HYPHEN),
        ("vestigings", layout.HYPHEN),
        ("mail", layout.SPACE),
    ]
    lines = layout.wrap("onduidelijkheidsverklaringsformulier", 14, "nl")
    assert all(ending == layout.HYPHEN for _line, ending in lines[:-1])
    assert "".join(line for line, _ending in lines) == "onduidelijkheidsverklaringsformulier"
    assert all(len(line) + (ending == layout.HYPHEN) <= 14 for line, ending in lines)
    # Without hyphenation points (an address), or a language pyphen lacks: broken anywhere.
    assert layout.wrap("x" * 30, 12, "nl")[0] == ("x" * 12, layout.BROKEN)
    assert layout.wrap("afsprakenbevestigingsmail", 12, "tlh")[0] == ("afsprakenbev", "")
    # Shortened text joins the hyphenated parts back into the word.
    assert layout.shorten("afsprakenbevestigingsmail", 12, 3, "nl") == "afsprakenbevestigingsmail"


@given(cells, st.booleans(), st.lists(st.integers(0, 40), min_size=6, max_size=6))
def test_taller_cards_take_only_the_room_the_map_has_and_their_texts_need(counts, curve, lines):
    columns = len(counts[0])
    counts = [(lane + [0] * columns)[:columns] for lane in counts]
    fit = layout.fit(counts, columns, curve)
    needed = lines[: len(counts)]
    taller = layout.taller_cards(fit, needed)
    assert sum(taller.lane_heights) <= layout.map_height(curve) + 0.01
    for lane, rows in enumerate(taller.rows):
        card = taller.card_height(lane)
        assert card >= fit.density.card_height
        # Every row of the lane's cards stands in the lane.
        assert layout.lane_height(card, rows) <= taller.lane_heights[lane] + 0.001
        if card > fit.density.card_height:  # grown: no more than the text needs
            assert taller.lines(0, lane) <= max(needed[lane], fit.lines(0))
