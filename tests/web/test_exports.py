"""Exports: the actions as CSV (read back with Python's csv module) and the workshop as a
Markdown summary; organizers download both; user text never turns into formulas or
markup."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from cjm_workshop.extensions import db
from cjm_workshop.models import Level, Note, Participant, VotingRound, Workshop
from cjm_workshop.services import emotions, voting

TRICKY = [
    ('Café-bezoek één keer per week, "gratis"', "Zoë; Jürgen", "Bel, mail\nen app"),
    ('=HYPERLINK("http://evil.example","klik")', "+31 6 1234", "-1+1"),
    ("@SUM(A1:A2)", "Anna", "\ttab first"),
]


@pytest.fixture
def room(app, make, me):
    workshop = make.workshop(me, title="Tandarts | online <b>boeken</b>")
    anna = make.participant(workshop, "Anna")
    stage = workshop.stage_ids[0]
    touchpoint = make.note(workshop, None, "Website *vet*", kind="touchpoint", stage=stage)
    pain = make.note(workshop, anna, "Lange wachtrij [link](http://x)", kind="pain_point")
    round_id = make.voting_round(workshop, dots=1)
    with app.app_context():
        room = db.session.get(Workshop, workshop.id)
        person = db.session.get(Participant, anna.id)
        emotions.rate(db.session, room, person, db.session.get(Note, touchpoint), 2)
        voting.vote(db.session, voting.ballot_for(db.session, workshop.id, anna.id, pain, "k"))
        voting.reveal(db.session, room, db.session.get(VotingRound, round_id))
        db.session.commit()
    idea = make.note(workshop, anna, "Kaartjesautomaat", kind="opportunity")
    for title, owner, next_step in TRICKY:
        make.action(
            workshop,
            title,
            owner=owner,
            next_step=next_step,
            due_date=date(2027, 2, 1),
            source=idea,
        )
    make.action(workshop, "Quick fix", impact=Level.HIGH, effort=Level.LOW)
    return workshop


def test_the_actions_csv_reads_back_exactly_and_runs_no_formula(client, room):
    answer = client.get(f"/workshops/{room.id}/export/actions.csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"), newline="")))
    assert rows[0] == [
        "Action",
        "Owner",
        "Next step",
        "Due date",
        "Status",
        "Expected impact",
        "Effort needed",
        "Quadrant",
        "Answers",
    ]
    assert rows[1][:4] == [
        'Café-bezoek één keer per week, "gratis"',
        "Zoë; Jürgen",
        "Bel, mail\nen app",
        "2027-02-01",
    ]
    assert rows[1][4:] == ["Open", "Medium", "Medium", "Big bets", "Kaartjesautomaat"]
    # Formula-like cells are kept as text: a quote in front, nothing else changed.
    assert rows[2][:3] == ['\'=HYPERLINK("http://evil.example","klik")', "'+31 6 1234", "'-1+1"]
    assert rows[3][:3] == ["'@SUM(A1:A2)", "Anna", "'\ttab first"]
    assert rows[4][0] == "Quick fix" and rows[4][7] == "Quick wins"
    assert len(rows) == 5


def test_exports_speak_the_workshops_language_or_the_readers_on_request(client, make, me):
    dutch = make.workshop(me, language="nl")
    make.action(dutch, "Terugbelknop")

    def header(query: str = "") -> list[str]:
        url = f"/workshops/{dutch.id}/export/actions.csv{query}"
        answer = client.get(url, headers={"Accept-Language": "en"})
        return next(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))[:2]

    assert header() == ["Actie", "Eigenaar"]  # like the poster: the room's language
    assert header("?language=mine") == ["Action", "Owner"]
    summary = client.get(f"/workshops/{dutch.id}/export/summary.md").text
    assert "## Acties" in summary
    results = client.get(f"/workshops/{dutch.id}/results", headers={"Accept-Language": "en"})
    assert (
        "export/summary.md?language=mine" in results.text and "Summary in English" in results.text
    )


def test_the_markdown_summary_has_every_part_with_user_text_escaped(client, room):
    answer = client.get(f"/workshops/{room.id}/export/summary.md")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/markdown; charset=utf-8"
    text = answer.data.decode()
    assert text.startswith("# Tandarts \\| online \\<b\\>boeken\\</b\\>\n")
    for part in (
        "## Personas",
        "## The journey map",
        "## Emotion curve",
        "## Pain points by dots",
        "## Actions",
    ):
        assert part in text
    assert "**Fatima**: Busy parent" in text
    assert "- Website \\*vet\\* (" in text  # a touchpoint with its channel
    assert "| Website \\*vet\\* | Awareness | 2 (Negative) | 2–2 | 1 |  |" in text
    assert "- **#1** Lange wachtrij \\[link\\](http://x) (1 dot)" in text  # the poster's rank
    assert (
        '| Café-bezoek één keer per week, "gratis" | Zoë; Jürgen | Bel, mail en app | 2027-02-01 | Open | Big bets |'
        in text
    )
    assert "<b>" not in text and "Anna" not in text.split("## Actions")[0]  # no authors


def test_an_organizer_downloads_both(client, auth, make, room):
    make.member(room, make.facilitator("org@example.org"), "organizer")
    auth.logout()
    auth.login("org@example.org")
    assert client.get(f"/workshops/{room.id}/export/actions.csv").status_code == 200
    assert client.get(f"/workshops/{room.id}/export/summary.md").status_code == 200


def test_scores_are_written_as_the_reader_writes_numbers(app, client, make, me):
    workshop = make.workshop(me)
    anna, bram = make.participant(workshop, "Anna"), make.participant(workshop, "Bram")
    touchpoint = make.note(workshop, None, "Website", kind="touchpoint")
    make.ratings(workshop, {(anna.id, touchpoint): 2, (bram.id, touchpoint): 3})
    dutch = {"Accept-Language": "nl"}
    answer = client.get(f"/workshops/{workshop.id}/export/summary.md?language=mine", headers=dutch)
    name = f"{workshop.join_code.lower()}-summary-nl.md"  # beside the workshop's own
    assert answer.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    summary = answer.text
    assert "| 2,5 (" in summary and "2,25–2,75" in summary and "2.5" not in summary
    results = client.get(f"/workshops/{workshop.id}/results", headers=dutch).text
    assert "(2,5)</td>" in results  # the curve's table for screen readers
    english = client.get(f"/workshops/{workshop.id}/results").text
    assert "(2.5)</td>" in english


def test_the_summary_lists_opportunities_in_their_stage(client, make, me):
    workshop = make.workshop(me)
    pain = make.note(workshop, None, "On hold", kind="pain_point", stage=workshop.stage_ids[1])
    make.note(workshop, None, "A call-back button", kind="opportunity", pain_point=pain)
    summary = client.get(f"/workshops/{workshop.id}/export/summary.md").text
    consideration = summary.split("### Consideration")[1].split("###")[0]
    assert "**Opportunities**" in consideration and "- A call-back button" in consideration


def test_markdown_escapes_what_would_be_markup_and_nothing_else():
    from cjm_workshop.web.exports import md

    # Where a text starts, what would make a list, a heading or a quote of it.
    assert [md(t) for t in ("- two", "1. first", "# big", "> said", "+ plus")] == [
        "\\- two",
        "1\\. first",
        "\\# big",
        "\\> said",
        "\\+ plus",
    ]
    # Anywhere, what would format or link; ordinary punctuation reads as typed.
    assert md("*bold* [a](b) <i>x</i> a|b `c`") == (
        "\\*bold\\* \\[a\\](b) \\<i\\>x\\</i\\> a\\|b \\`c\\`"
    )
    assert md("Send e-mails (web team), 2.5 days!") == "Send e-mails (web team), 2.5 days!"


def test_tied_pain_points_share_their_rank_as_on_the_poster():
    from cjm_workshop.services import voting

    assert voting.ranks({1: 3, 2: 2, 3: 2, 4: 1, 5: 0}) == {1: 1, 2: 2, 3: 2, 4: 4}


def test_a_revealed_vote_on_opportunities_is_in_the_results_and_the_summary(app, client, make, me):
    """A rehearsal voted on opportunities in step 6 and revealed it: the console and the
    board ranked them, the results page and the summary did not."""
    workshop = make.workshop(me)
    anna = make.participant(workshop, "Anna")
    ideas = [make.note(workshop, None, text, kind="opportunity") for text in ("Bel terug", "Chat")]
    unrevealed = client.get(f"/workshops/{workshop.id}/export/summary.md").text
    assert "Opportunities by dots" not in unrevealed  # no vote on them: no section
    round_id = make.voting_round(workshop, dots=1, kind="opportunity")
    with app.app_context():
        room = db.session.get(Workshop, workshop.id)
        voting.vote(db.session, voting.ballot_for(db.session, workshop.id, anna.id, ideas[1], "k"))
        chosen = db.session.get(VotingRound, round_id)
        voting.close_round(db.session, room, chosen)
        voting.reveal(db.session, room, chosen)
        db.session.commit()
    summary = client.get(f"/workshops/{workshop.id}/export/summary.md").text
    assert "## Opportunities by dots\n\n- **#1** Chat (1 dot)\n- Bel terug (0 dots)" in summary
    results = client.get(f"/workshops/{workshop.id}/results").text
    ranking = results.split("Opportunities by dots")[1]
    assert ranking.index(">Chat<") < ranking.index(">Bel terug<")
    console = client.get(f"/workshops/{workshop.id}/console").text
    assert "Chat (1 •)" in console  # the action form's answers say their dots too


def test_the_results_page_keeps_personas_with_a_comma_apart(app, client, make, me):
    """ "Personas: Fatima, drukke ouder, Henk (72), gepensioneerd" read as three or four."""
    from cjm_workshop.models import Persona

    workshop = make.workshop(me, personas=2)
    with app.app_context():
        for persona_id, name in zip(
            workshop.persona_ids, ("Fatima, drukke ouder", "Henk, gepensioneerd"), strict=True
        ):
            db.session.get(Persona, persona_id).name = name
        db.session.commit()
    page = client.get(f"/workshops/{workshop.id}/results").text
    assert "Fatima, drukke ouder · Henk, gepensioneerd" in page
