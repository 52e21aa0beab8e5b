"""The emotion curve's drawing: a stage's name stays inside its band."""

from __future__ import annotations

from cjm_workshop.curve import NAME_PX, draw_curve
from cjm_workshop.services.emotions import CurvePoint


def point(note_id: int, stage: str) -> CurvePoint:
    return CurvePoint(note_id, f"Touchpoint {note_id}", stage, 3, 3.0, 2.0, 4.0, False)


def test_a_long_name_in_a_narrow_band_gets_smaller_type_down_to_two_thirds():
    """A rehearsal's console showed "Find renewal pag", run into "Log in"."""
    drawing = draw_curve(
        [
            point(1, "Notice expiry"),
            point(2, "Notice expiry"),
            point(3, "Find renewal page"),
            point(4, "Log in"),
            point(5, "Een heel lange fasenaam die nergens past"),
        ]
    )
    sizes = {band.name: band.name_size for band in drawing.stages}
    assert sizes["Notice expiry"] is None  # two touchpoints wide: the usual type fits
    assert sizes["Log in"] is None
    assert NAME_PX * 2 / 3 < sizes["Find renewal page"] < NAME_PX
    assert sizes["Een heel lange fasenaam die nergens past"] == NAME_PX * 2 / 3
