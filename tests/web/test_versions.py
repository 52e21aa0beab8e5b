"""Versions through the web: making the next version, and comparing two side by side."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, Workshop, WorkshopStatus
from tests.factories import PASSWORD


@pytest.fixture
def journey(make, me):
    """Version 1, run: a curve over two touchpoints and revealed dots on two pain points;
    version 2 (cloned with its notes), run again with other ratings and a new pain point."""
    first = make.workshop(me)
    anna, bob = make.participant(first, "Anna"), make.participant(first, "Bob")
    site = make.note(first, None, "Website", kind="touchpoint")
    desk = make.note(first, None, "Front desk", kind="touchpoint", stage=first.stage_ids[1])
    slots = make.note(first, anna, "No free slots shown", kind="pain_point")
    hold = make.note(first, bob, "Long wait on hold", kind="pain_point")
    make.ratings(first, {(anna.id, site): 1, (bob.id, site): 2, (anna.id, desk): 4})
    make.dots(first, {anna.id: [slots, slots, hold], bob.id: [slots]})

    second = make.version(first, me, with_notes=True)
    with make.app.app_context():
        copied = {
            note.text: note.id
            for note in db.session.scalars(select(Note).filter_by(workshop_id=second.id))
        }
    cas = make.participant(second, "Cas")
    form = make.note(second, cas, "Form asks for the insurance number twice", kind="pain_point")
    make.ratings(second, {(cas.id, copied["Website"]): 4, (cas.id, copied["Front desk"]): 5})
    make.dots(second, {cas.id: [form, form, copied["Long wait on hold"]]})
    return first, second


def test_a_new_version_is_made_by_post_and_shown(app, client, make, me):
    first = make.workshop(me)
    make.note(first, None, "Website", kind="touchpoint")
    answer = client.post(f"/workshops/{first.id}/versions", data={"copy_notes": "y"})
    assert answer.status_code == 303
    with app.app_context():
        copy = db.session.scalars(select(Workshop).where(Workshop.id != first.id)).one()
        notes = db.session.scalars(select(Note.text).filter_by(workshop_id=copy.id)).all()
        assert (copy.version, copy.facilitator_id, copy.status) == (2, me.id, WorkshopStatus.DRAFT)
        code = copy.join_code
    assert notes == ["Website"]
    assert answer.headers["Location"] == f"/workshops/{copy.id}"
    page = client.get(answer.headers["Location"]).text
    assert "Version 2 is ready" in page
    assert "Version 2 ·" in page and code[:4] in page  # the number beside the new join code
    assert f'href="/workshops/{copy.id}/compare?with={first.id}"' in page
    dashboard = client.get("/workshops/").text
    assert dashboard.count("<dt>Version</dt>") == 2

    without = client.post(f"/workshops/{first.id}/versions", data={})
    with app.app_context():
        third = db.session.get(Workshop, int(without.headers["Location"].rsplit("/", 1)[1]))
        assert third.version == 3
        assert db.session.scalars(select(Note).filter_by(workshop_id=third.id)).all() == []


def test_a_new_version_needs_the_csrf_token(client, make, me, csrf_on):
    first = make.workshop(me)
    assert client.post(f"/workshops/{first.id}/versions", data={}).status_code == 400


def test_a_workshop_of_one_version_shows_no_number(client, make, me):
    first = make.workshop(me)
    page = client.get(f"/workshops/{first.id}").text
    assert "Make a new version" in page and "Version 1" not in page
    assert "<dt>Version</dt>" not in client.get("/workshops/").text
    compare = client.get(f"/workshops/{first.id}/compare")
    assert compare.status_code == 200 and "No other version yet" in compare.text


def figures(page: str) -> dict[str, list[str]]:
    """The comparison table: row heading -> cells (both versions and the change)."""
    rows = re.findall(r'<tr>\s*<th scope="row">(.*?)</th>(.*?)</tr>', page, re.S)
    strip = lambda html: " ".join(re.sub(r"<[^>]+>", " ", html).split())  # noqa: E731
    return {
        strip(head): [strip(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
        for head, cells in rows
    }


def ranked(html: str) -> list[tuple[str, str]]:
    """The top pain points of a ranking list: (text with its badge, dots)."""
    items = re.findall(
        r'class="ranking-text"[^>]*>(.*?)</span>\s*<span class="ranking-count">(.*?)</span>', html
    )
    return [(" ".join(re.sub(r"<[^>]+>", " ", text).split()), dots) for text, dots in items]


def test_the_comparison_shows_both_curves_and_both_top_pain_points(client, journey):
    first, second = journey
    page = client.get(f"/workshops/{second.id}/compare?with={first.id}").text
    assert page.count('class="curve-svg"') == 2
    assert f'id="curve-{first.id}-title"' in page and f'id="curve-{second.id}-title"' in page
    curves = page.split('class="compare-curve"')[1:]  # the earlier version first
    assert f'id="curve-{first.id}-title"' in curves[0] and "Version 1" in curves[0]
    assert f'id="curve-{second.id}-title"' in curves[1] and "Version 2" in curves[1]
    assert [re.findall(r"viewBox=\"(.*?)\"", curve)[0] for curve in curves] == ["0 0 750 266"] * 2
    version_1, version_2 = page.split(f'id="version-{second.id}-pains"')
    assert ranked(version_1) == [
        ("No free slots shown", "3 dots"),
        ("Long wait on hold in the top of version 2 too", "1 dot"),
    ]
    assert ranked(version_2) == [
        ("Form asks for the insurance number twice new", "2 dots"),
        ("Long wait on hold in the top of version 1 too", "1 dot"),
    ]
    found = figures(page)
    assert found["Participants"] == ["2", "1", "−1"]
    assert found["Notes on the map"] == ["4", "5", "+1"]
    assert found["Touchpoints"] == ["2", "2", "no change"]
    assert found["Emotion ratings"] == ["3", "2", "−1"]
    assert found["Average emotion (1–5)"] == [
        "2.3 Negative",
        "4.5 Positive",  # halfway: the curve rounds medians the same way
        "+2.2",
    ]


def test_the_comparison_in_dutch(client, journey):
    first, second = journey
    page = client.get(
        f"/workshops/{first.id}/compare", headers={"Accept-Language": "nl"}
    ).text  # no ?with: version 1 is compared with the next one
    assert "Versies vergelijken" in page and "Versie 1" in page and "Versie 2" in page
    assert page.count('class="curve-svg"') == 2
    assert ranked(page) == [
        ("No free slots shown", "3 stippen"),
        ("Long wait on hold ook in de top van versie 2", "1 stip"),
        ("Form asks for the insurance number twice nieuw", "2 stippen"),
        ("Long wait on hold ook in de top van versie 1", "1 stip"),
    ]
    found = figures(page)
    assert found["Gemiddelde emotie (1–5)"][2] == "+2,2"


def test_a_stranger_gets_404_and_so_does_an_organizer_of_only_one_version(
    client, auth, make, journey
):
    first, second = journey
    make.facilitator("stranger@example.org")
    organizer = make.facilitator("organizer@example.org")
    make.member(first, organizer, "organizer")
    auth.logout()
    auth.login("stranger@example.org")
    for url in (
        f"/workshops/{second.id}/compare?with={first.id}",
        f"/workshops/{first.id}/compare",
    ):
        answer = client.get(url)
        assert answer.status_code == 404 and "Booking a dentist" not in answer.text
    auth.logout()
    auth.login("organizer@example.org")
    assert client.get(f"/workshops/{first.id}/compare?with={second.id}").status_code == 404
    assert client.get(f"/workshops/{second.id}/compare?with={first.id}").status_code == 404
    alone = client.get(f"/workshops/{first.id}/compare")
    assert alone.status_code == 200 and "No other version yet" in alone.text
    make.member(second, organizer, "organizer")
    both = client.get(f"/workshops/{first.id}/compare?with={second.id}")
    assert both.status_code == 200 and both.text.count('class="curve-svg"') == 2
    results = client.get(f"/workshops/{first.id}/results").text
    assert f'href="/workshops/{first.id}/compare"' in results
    assert client.post(f"/workshops/{first.id}/versions").status_code == 403


def test_only_versions_of_the_same_journey_are_compared(client, make, me, journey):
    first, second = journey
    other = make.workshop(me)
    assert client.get(f"/workshops/{first.id}/compare?with={other.id}").status_code == 404
    assert client.get(f"/workshops/{first.id}/compare?with={first.id}").status_code == 404
    assert client.get(f"/workshops/{first.id}/compare?with=999999").status_code == 404


def test_a_co_facilitator_s_new_version_is_theirs(app, client, auth, make):
    owner = make.facilitator("owner@example.org")
    first = make.workshop(owner)
    make.member(first, make.facilitator("co@example.org"), "co_facilitator")
    auth.login("co@example.org")
    answer = client.post(f"/workshops/{first.id}/versions", data={})
    assert answer.status_code == 303
    dashboard = client.get("/workshops/").text
    assert dashboard.count("<dt>Version</dt>") == 2  # theirs, and the one shared with them
    auth.logout()
    auth.login("owner@example.org")
    # The owner does not see version 2 (it is not shared with them): no numbers, no list.
    assert "<dt>Version</dt>" not in client.get("/workshops/").text
    assert "Version 1" not in client.get(f"/workshops/{first.id}").text
    assert client.get(answer.headers["Location"]).status_code == 404


def test_simultaneous_new_versions_get_distinct_numbers(app, make):
    """Two people (or a double click) making versions of one journey at once."""
    owner = make.facilitator("owner@example.org")
    first = make.workshop(owner)

    def new_version(_number: int) -> int:
        client = app.test_client()
        client.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
        return client.post(f"/workshops/{first.id}/versions", data={}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(new_version, range(6)))
    assert statuses == [303] * 6
    with app.app_context():
        numbers = db.session.scalars(select(Workshop.version).order_by(Workshop.version)).all()
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
