"""Actions answer in place: with the keyboard alone, focus stays on the control used (the
impact/effort arrows, dot + and −), ticks for a merge survive live updates, a deleted note
can be undone for a few seconds, and a closed workshop looks closed on every screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from cjm_workshop.extensions import db
from cjm_workshop.models import (
    Level,
    LiveEvent,
    Note,
    NoteKind,
    ResearchSource,
    Step,
    Workshop,
)
from cjm_workshop.services import journey_map, notes, steps
from cjm_workshop.services.room import touch
from tests.browser.test_live_session import join, laptop_and_board

pytestmark = pytest.mark.browser


def in_step(app, workshop, step: Step) -> None:
    with app.app_context():
        steps.go_to_step(db.session, db.session.get(Workshop, workshop.id), step)
        db.session.commit()


def test_the_matrix_arrows_keep_focus_on_the_action_moved(open_tab, make, app):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    in_step(app, workshop, Step.ACTIONS)
    action = make.action(workshop, "Install a ticket machine", impact=Level.HIGH, effort=Level.LOW)
    console, board = laptop_and_board(
        open_tab, "frida@example.org", workshop, f"/workshops/{workshop.id}/console"
    )
    more_effort = console.page.locator(f"#action-{action} button[title='More effort']")
    more_effort.focus()
    console.page.keyboard.press("Enter")
    expect(console.page.locator(f".quadrant-big_bet #action-{action}")).to_be_visible()
    expect(board.page.locator(f".quadrant-big_bet #action-{action}")).to_be_visible()
    expect(more_effort).to_be_focused()
    less_effort = console.page.locator(f"#action-{action} button[title='Less effort']")
    console.page.keyboard.press("Shift+Tab")
    expect(less_effort).to_be_focused()
    console.page.keyboard.press("Enter")
    expect(console.page.locator(f".quadrant-quick_win #action-{action}")).to_be_visible()
    expect(less_effort).to_be_focused()
    assert console.page.evaluate("window.scrollY") > 0 or console.page.evaluate(
        "document.documentElement.scrollHeight <= innerHeight"
    )  # not thrown back to the top of the page
    console.audit()


def test_dot_voting_by_keyboard_keeps_focus_on_the_button(open_tab, make, app):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    for text in ("No free slots online", "On hold for 20 minutes"):
        make.note(workshop, None, text, kind="pain_point")
    make.voting_round(workshop, dots=2)
    phone = open_tab("phone")
    join(phone, workshop, "Anna")
    first = phone.page.locator(".vote-item").nth(0)
    give, take_back = first.locator("button[value='add']"), first.locator("button[value='remove']")
    give.focus()
    phone.page.keyboard.press("Enter")
    expect(phone.page.locator("[data-dots-left]")).to_have_text("1 dot left")
    # One dot per pain point: the + went grey, so focus moves to the − beside it, not to
    # the top of the page; Enter there takes the dot back, and focus returns to the +.
    expect(give).to_be_disabled()
    expect(take_back).to_be_focused()
    phone.page.keyboard.press("Enter")
    expect(phone.page.locator("[data-dots-left]")).to_have_text("2 dots left")
    expect(give).to_be_focused()
    phone.page.keyboard.press("Enter")
    expect(phone.page.locator("[data-dots-left]")).to_have_text("1 dot left")
    expect(take_back).to_be_focused()
    phone.audit()


def test_a_merge_during_dot_voting_reaches_the_phones_list_live(open_tab, make, app):
    """The facilitator merges two pain points on the map while the room votes: the phone's
    list drops the duplicate at once (its dot went to the note kept), and the console says
    which note was merged away."""
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    kept = make.note(workshop, None, "Forgot my PIN", kind="pain_point")
    duplicate = make.note(workshop, None, "PIN forgotten again", kind="pain_point")
    make.voting_round(workshop, dots=2)
    phone = open_tab("phone")
    join(phone, workshop, "Anna")
    expect(phone.page.locator(".vote-item")).to_have_count(2)
    with app.app_context():
        journey_map.merge(
            db.session,
            db.session.get(Workshop, workshop.id),
            db.session.get(Note, kept),
            [db.session.get(Note, duplicate)],
        )
        db.session.commit()
    expect(phone.page.locator(".vote-item")).to_have_count(1)
    expect(phone.page.locator(".vote-item")).to_contain_text("Forgot my PIN")
    console, _board = laptop_and_board(
        open_tab, "frida@example.org", workshop, f"/workshops/{workshop.id}/console"
    )
    expect(console.page.locator(f"#note-{duplicate}")).to_contain_text("merged into another note")
    expect(console.page.locator(f"#note-{kept}")).not_to_contain_text("merged into")


def test_ticks_for_a_merge_survive_a_live_change_of_the_map(open_tab, make, app):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    first, second = workshop.stage_ids[:2]
    notes = [
        make.note(workshop, None, text, kind="touchpoint", stage=first)
        for text in ("Online booking", "Booking online", "Calls the practice")
    ]
    in_step(app, workshop, Step.VISUALIZE)
    laptop, _board = laptop_and_board(
        open_tab, "frida@example.org", workshop, f"/workshops/{workshop.id}/map"
    )
    laptop.page.check(f"#pick-{notes[0]}")
    laptop.page.check(f"#pick-{notes[1]}")
    laptop.page.locator(f"#note-{notes[2]} summary").click()  # a menu left open
    with app.app_context():  # a co-facilitator moves another note meanwhile
        room = db.session.get(Workshop, workshop.id)
        journey_map.nudge(db.session, room, db.session.get(Note, notes[2]), "right")
        db.session.commit()
    expect(laptop.page.locator(f"ul.cell[data-stage='{second}'] #note-{notes[2]}")).to_be_visible()
    expect(laptop.page.locator(f"#pick-{notes[0]}")).to_be_checked()
    expect(laptop.page.locator(f"#pick-{notes[1]}")).to_be_checked()
    expect(laptop.page.locator(f"#note-{notes[2]} details.card-menu")).to_have_attribute("open", "")
    laptop.audit()


def test_a_deleted_note_can_be_undone_for_a_few_seconds(open_tab, make, app):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    in_step(app, workshop, Step.RESEARCH)
    phone = open_tab("phone")
    join(phone, workshop, "Anna")
    phone.page.fill("#insight-text", "Typed by mistake")
    phone.page.select_option("#insight-source", "survey")
    phone.page.locator("#note-form-insight button[type=submit]").click()
    note = phone.page.locator(".note", has_text="Typed by mistake")
    expect(note).to_be_visible()
    status = phone.page.locator("#note-form-insight [data-note-status]")
    expect(status).to_have_text("Saved")
    note.locator("button:has-text('Delete')").click()
    undo = phone.page.locator(".note-undo button:has-text('Undo')")
    expect(undo).to_be_focused()
    expect(status).to_have_text("")  # no "Saved" beside "Note deleted"
    expect(note).to_be_hidden()
    phone.page.keyboard.press("Enter")
    expect(note).to_be_visible()
    expect(note.locator("button:has-text('Delete')")).to_be_focused()
    with app.app_context():
        assert db.session.scalars(select(Note.text)).all() == ["Typed by mistake"]
    note.locator("button:has-text('Delete')").click()
    expect(phone.page.locator(".note-undo")).to_have_count(0, timeout=10_000)
    expect(phone.page.locator(".note", has_text="Typed by mistake")).to_have_count(0)
    with app.app_context():
        assert db.session.scalars(select(Note.text)).all() == []
    # "Saved" stands for the last note sent, until the next one is being typed.
    phone.page.fill("#insight-text", "Second thought")
    expect(phone.page.locator("#insight-source")).to_have_value("survey")  # the last choice
    phone.page.locator("#note-form-insight button[type=submit]").click()
    expect(status).to_have_text("Saved")
    phone.page.locator("#insight-text").press_sequentially("A")
    expect(status).to_have_text("")
    phone.audit()


def test_notes_stand_in_the_order_written_whichever_news_arrives_first(open_tab, make, app):
    """Two notes written at the same moment: the later one's news reaches the phone first
    (another worker committed first), yet the list shows them as a reload would."""
    workshop = make.workshop(make.facilitator("frida@example.org"))
    in_step(app, workshop, Step.RESEARCH)
    phone = open_tab("phone")
    join(phone, workshop, "Anna")
    with app.app_context():
        room = db.session.get(Workshop, workshop.id)
        first, second = (
            notes.add_note(
                db.session,
                room,
                notes.NoteFields(kind=NoteKind.INSIGHT, text=text, source=ResearchSource.SURVEY),
                f"order-{text}",
            )
            for text in ("Written first", "Written second")
        )
        news = LiveEvent.note_id.in_([first.id, second.id])
        db.session.execute(delete(LiveEvent).where(news))  # their news, told the other way
        touch(db.session, workshop.id, second.id)
        first_id = first.id
        db.session.commit()
    listed = phone.page.locator("[data-notes] .note-text")
    expect(listed).to_have_text(["Written second"])
    with app.app_context():
        touch(db.session, workshop.id, first_id)
        db.session.commit()
    expect(listed).to_have_text(["Written first", "Written second"])
    phone.page.reload()
    expect(listed).to_have_text(["Written first", "Written second"])


def test_a_note_half_written_when_the_step_changes_is_kept_and_said_so(open_tab, make, app):
    """The facilitator moves on while a phone is writing: its form goes with the step, a
    line says the note was not sent and is kept, with its text, and the text is back in the
    form when the step is open again."""
    workshop = make.workshop(make.facilitator("frida@example.org"))
    in_step(app, workshop, Step.RESEARCH)
    phone = open_tab("phone")
    join(phone, workshop, "Anna")
    phone.page.fill("#insight-text", "Half-way when the room moved on")
    in_step(app, workshop, Step.TOUCHPOINTS)
    kept = phone.page.locator(".notice-kept")
    expect(kept).to_contain_text("before your note was added. It is kept on this phone")
    expect(kept.locator("blockquote")).to_contain_text("Half-way when the room moved on")
    expect(phone.page.locator("#insight-text")).to_have_count(0)
    make.note(workshop, None, "Someone else's touchpoint", kind="touchpoint")
    expect(phone.page.locator(".note", has_text="Someone else's")).to_be_visible()
    expect(kept).to_be_visible()  # the room's updates leave it until it is closed
    phone.audit()
    phone.screenshot("phone-note-kept")
    in_step(app, workshop, Step.RESEARCH)
    expect(phone.page.locator("#insight-text")).to_have_value("Half-way when the room moved on")
    expect(kept).to_have_count(0)  # its form is back: the line has said what it had to
    # A line nobody needs any more can be closed too.
    in_step(app, workshop, Step.TOUCHPOINTS)
    expect(kept).to_have_count(1)
    kept.locator("button:has-text('Close')").click()
    expect(kept).to_have_count(0)


@pytest.mark.parametrize("taken", [True, False])
def test_a_note_being_sent_when_the_step_changes_says_whether_it_was_taken(
    open_tab, make, app, taken
):
    """The room moved on while a note was on its way: a note the server took is not said
    to be "not sent" (that invited a second copy), nor shown in the next step's list; a
    note it refused because the step had moved on is kept and said so, as if never sent."""
    workshop = make.workshop(make.facilitator("frida@example.org"))
    in_step(app, workshop, Step.RESEARCH)
    phone = open_tab("phone")
    join(phone, workshop, "Anna")
    held = []
    phone.page.route("**/notes/insight", lambda route: held.append(route))  # its POST waits
    phone.page.fill("#insight-text", "Sent just as the room moved on")
    phone.page.select_option("#insight-source", "survey")
    phone.page.locator("#note-form-insight button[type=submit]").click()
    for _ in range(200):  # each call to the page lets Playwright hand the request over
        if held:
            break
        phone.page.evaluate("0")
    (route,) = held
    answer = route.fetch() if taken else None  # the server takes it before the room moves on
    in_step(app, workshop, Step.TOUCHPOINTS)
    expect(phone.page.locator("#insight-text")).to_have_count(0)
    if answer is not None:
        route.fulfill(response=answer)
    else:
        route.continue_()  # sent after the room moved on: refused
    expect(phone.page.locator("form[data-sending]")).to_have_count(0)
    phone.page.unroute("**/notes/insight")
    make.note(workshop, None, "Someone else's touchpoint", kind="touchpoint")
    expect(phone.page.locator(".note", has_text="Someone else's")).to_be_visible()
    kept = phone.page.locator(".notice-kept")
    with app.app_context():
        saved = db.session.scalars(select(Note.text)).all()
    if taken:
        assert saved == ["Sent just as the room moved on", "Someone else's touchpoint"]
        expect(kept).to_have_count(0)
        expect(phone.page.locator(".note", has_text="Sent just as")).to_have_count(0)
    else:
        assert saved == ["Someone else's touchpoint"]
        expect(kept.locator("blockquote")).to_contain_text("Sent just as the room moved on")
    phone.audit()
    in_step(app, workshop, Step.RESEARCH)
    expect(phone.page.locator("#insight-text")).to_have_value(
        "" if taken else "Sent just as the room moved on"
    )


def test_the_characters_left_follow_the_note_and_start_again_after_it_is_sent(open_tab, make, app):
    workshop = make.workshop(make.facilitator("frida@example.org"))
    in_step(app, workshop, Step.RESEARCH)
    phone = open_tab("phone")
    join(phone, workshop, "Anna")
    counter = phone.page.locator("#note-form-insight .char-count")
    expect(counter).to_have_text("")
    phone.page.fill("#insight-text", "A long observation " * 13)  # 247 characters
    expect(counter).to_have_text("33 characters left")
    phone.page.select_option("#insight-source", "survey")
    phone.page.locator("#note-form-insight button[type=submit]").click()
    expect(phone.page.locator(".note", has_text="A long observation")).to_be_visible()
    expect(phone.page.locator("#insight-text")).to_have_value("")
    expect(counter).to_have_text("")  # it said "33 characters left" over an empty form
    phone.audit()


def test_a_closed_workshop_looks_closed_on_console_board_and_phones(open_tab, make, app):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    in_step(app, workshop, Step.RESEARCH)
    console, board = laptop_and_board(
        open_tab, "frida@example.org", workshop, f"/workshops/{workshop.id}/console"
    )
    board.page.set_viewport_size({"width": 1920, "height": 1080})
    phone = open_tab("phone")
    join(phone, workshop, "Anna")
    expect(phone.page.locator("#insight-text")).to_be_visible()
    phone.page.fill("#insight-text", "Half-way when the room closed")
    console.page.once("dialog", lambda dialog: dialog.accept())  # "Close it for everyone?"
    console.act("button:has-text('Close workshop')")
    expect(console.page.locator("#closed-h")).to_have_text("This workshop is closed")
    expect(console.page.locator("button:has-text('Start timer')")).to_have_count(0)
    expect(console.page.locator("#proxy-h")).to_have_count(0)
    expect(board.page.locator(".board-closed h1")).to_have_text("Thank you!")
    expect(board.page.locator(".board-qr")).to_have_count(0)
    expect(phone.page.locator(".notice-closed")).to_contain_text("This workshop is closed.")
    # The half-typed note stays; sending it says why it is refused, and keeps the text.
    expect(phone.page.locator("#insight-text")).to_have_value("Half-way when the room closed")
    phone.page.select_option("#insight-source", "survey")
    phone.page.locator("#note-form-insight button[type=submit]").click()
    expect(phone.page.locator("#note-form-insight .error")).to_contain_text("it takes no new notes")
    expect(phone.page.locator("#insight-text")).to_have_value("Half-way when the room closed")
    for tab, name in ((console, "console"), (board, "board"), (phone, "phone")):
        tab.audit()
        tab.screenshot(f"closed-{name}")
    console.act("button:has-text('Reopen workshop')")
    expect(phone.page.locator("#insight-text")).to_be_visible()
    expect(board.page.locator(".board-closed")).to_have_count(0)


def test_a_sent_pain_point_keeps_its_stage_not_its_touchpoint(open_tab, make, app):
    """A rehearsal's phones kept the last touchpoint chosen, unseen below the text, and put
    the next pain points at touchpoints of other stages."""
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    first = workshop.stage_ids[0]
    visit = make.note(workshop, None, "Expert visits the home", kind="touchpoint", stage=first)
    later = workshop.stage_ids[1]
    payout = make.note(workshop, None, "Payout on the account", kind="touchpoint", stage=later)
    in_step(app, workshop, Step.EMOTIONS)
    phone = open_tab("phone")
    join(phone, workshop, "Anna")
    phone.page.fill("#pain_point-text", "Expert comes only after 3 weeks")
    phone.page.select_option("#pain_point-stage_id", str(first))
    phone.page.select_option("#pain_point-touchpoint_id", str(visit))
    phone.page.locator("#note-form-pain_point button[type=submit]").click()
    expect(phone.page.locator(".note", has_text="Expert comes only after 3 weeks")).to_be_visible()
    expect(phone.page.locator("#pain_point-stage_id")).to_have_value(str(first))
    expect(phone.page.locator("#pain_point-touchpoint_id")).to_have_value("")
    phone.page.select_option("#pain_point-touchpoint_id", str(payout))  # at a later stage's
    expect(phone.page.locator("#pain_point-stage_id")).to_have_value(str(later))


def test_choosing_what_a_note_links_to_sets_its_stage(open_tab, make, app):
    """A rehearsal's phone kept the stage of the last opportunity, and the next one, which
    answered a pain point of another stage, stood in the wrong stage on board and poster."""
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    first, third = workshop.stage_ids[0], workshop.stage_ids[2]
    spam = make.note(workshop, None, "Reminder lands in spam", kind="pain_point", stage=third)
    slow = make.note(workshop, None, "Payment page times out", kind="pain_point", stage=first)
    in_step(app, workshop, Step.ACTIONS)
    phone = open_tab("phone")
    join(phone, workshop, "Sanne")
    phone.page.fill("#opportunity-text", "Keep the payment open longer")
    phone.page.select_option("#opportunity-pain_point_id", str(slow))
    expect(phone.page.locator("#opportunity-stage_id")).to_have_value(str(first))
    phone.page.locator("#note-form-opportunity button[type=submit]").click()
    expect(phone.page.locator(".note", has_text="Keep the payment open longer")).to_be_visible()
    expect(phone.page.locator("#opportunity-stage_id")).to_have_value(str(first))  # kept
    phone.page.fill("#opportunity-text", "Send the reminder by text message too")
    phone.page.select_option("#opportunity-pain_point_id", str(spam))
    expect(phone.page.locator("#opportunity-stage_id")).to_have_value(str(third))
    phone.page.locator("#note-form-opportunity button[type=submit]").click()
    expect(phone.page.locator(".note", has_text="by text message too")).to_be_visible()
    with app.app_context():
        stages = dict(
            db.session.execute(
                select(Note.text, Note.stage_id).where(Note.kind == NoteKind.OPPORTUNITY)
            ).all()
        )
    assert stages == {
        "Keep the payment open longer": first,
        "Send the reminder by text message too": third,
    }
