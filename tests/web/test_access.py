"""Every route has an owner; everybody else gets a login redirect, a 404 or a join page."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import WorkshopRecord

# (method, url template, owner). Owners: public; facilitator (runs that workshop: its
# facilitator or a co-facilitator); owner (its facilitator only); member (anyone it is
# shared with, organizers too); participant (of that workshop).
ROUTES = [
    ("GET", "/", "public"),
    ("GET", "/healthz", "public"),
    ("GET", "/lang/nl", "public"),
    ("GET", "/login", "public"),
    ("POST", "/login", "public"),
    ("GET", "/signup", "public"),
    ("POST", "/signup", "public"),
    ("GET", "/signup/{token}", "public"),  # an invitation's link: tests/web/test_invitations...
    ("POST", "/signup/{token}", "public"),
    ("GET", "/password/forgot", "public"),
    ("POST", "/password/forgot", "public"),
    ("GET", "/password/reset/{token}", "public"),  # a reset link: its token is the key
    ("POST", "/password/reset/{token}", "public"),
    ("POST", "/logout", "facilitator"),
    ("GET", "/account", "facilitator"),
    ("POST", "/account", "facilitator"),
    ("POST", "/account/logout-elsewhere", "facilitator"),
    ("GET", "/join", "public"),
    ("POST", "/join", "public"),
    ("GET", "/j/{code}", "public"),
    ("POST", "/j/{code}", "public"),
    ("GET", "/w/{code}", "participant"),
    ("POST", "/w/{code}/notes/{kind}", "participant"),
    ("GET", "/w/{code}/notes/{note}/edit", "participant"),
    ("POST", "/w/{code}/notes/{note}/edit", "participant"),
    ("POST", "/w/{code}/notes/{note}/delete", "participant"),
    ("GET", "/w/{code}/events", "participant"),
    ("GET", "/w/{code}/map", "participant"),
    ("GET", "/w/{code}/board", "participant"),
    ("GET", "/w/{code}/board/map", "participant"),
    ("GET", "/w/{code}/board/events", "participant"),
    ("POST", "/w/{code}/ratings/{note}", "participant"),
    ("POST", "/w/{code}/dots", "participant"),
    ("GET", "/workshops/", "facilitator"),
    ("GET", "/workshops/new", "facilitator"),
    ("POST", "/workshops/new", "facilitator"),
    ("GET", "/workshops/{id}", "facilitator"),
    ("GET", "/workshops/{id}/edit", "facilitator"),
    ("POST", "/workshops/{id}/edit", "facilitator"),
    ("GET", "/workshops/{id}/delete", "owner"),
    ("POST", "/workshops/{id}/delete", "owner"),
    ("POST", "/workshops/{id}/members", "owner"),
    ("POST", "/workshops/{id}/members/{member}/delete", "owner"),
    ("POST", "/workshops/{id}/invitations/{invitation}/delete", "owner"),
    ("GET", "/workshops/{id}/results", "member"),
    ("GET", "/workshops/{id}/export/actions.csv", "member"),
    ("GET", "/workshops/{id}/export/summary.md", "member"),
    ("GET", "/workshops/{id}/poster", "member"),
    ("GET", "/workshops/{id}/poster/preview", "member"),
    ("GET", "/workshops/{id}/poster.pdf", "member"),
    ("GET", "/workshops/{id}/map.png", "member"),  # one route for the map and the curve
    ("GET", "/workshops/{id}/map.svg", "member"),
    ("GET", "/workshops/{id}/export/workshop.json", "member"),
    ("GET", "/workshops/import", "facilitator"),
    ("POST", "/workshops/import", "facilitator"),
    ("GET", "/workshops/{id}/compare", "member"),
    ("POST", "/workshops/{id}/versions", "facilitator"),
    ("POST", "/workshops/{id}/actions", "facilitator"),
    ("GET", "/workshops/{id}/actions/{action}/edit", "facilitator"),
    ("POST", "/workshops/{id}/actions/{action}/edit", "facilitator"),
    ("POST", "/workshops/{id}/actions/{action}/delete", "facilitator"),
    ("POST", "/workshops/{id}/actions/{action}/place", "facilitator"),
    ("POST", "/workshops/{id}/actions/{action}/status", "member"),
    ("POST", "/workshops/{id}/status", "facilitator"),
    ("POST", "/workshops/{id}/research-window", "facilitator"),
    ("POST", "/workshops/{id}/personas", "facilitator"),
    ("GET", "/workshops/{id}/personas/{persona}/edit", "facilitator"),
    ("POST", "/workshops/{id}/personas/{persona}/edit", "facilitator"),
    ("POST", "/workshops/{id}/personas/{persona}/delete", "facilitator"),
    ("POST", "/workshops/{id}/stages", "facilitator"),
    ("POST", "/workshops/{id}/stages/{stage}/rename", "facilitator"),
    ("POST", "/workshops/{id}/stages/{stage}/move", "facilitator"),
    ("POST", "/workshops/{id}/stages/{stage}/delete", "facilitator"),
    ("GET", "/workshops/{id}/board", "facilitator"),
    ("GET", "/workshops/{id}/console", "facilitator"),
    ("GET", "/workshops/{id}/events", "facilitator"),
    ("POST", "/workshops/{id}/step", "facilitator"),
    ("POST", "/workshops/{id}/contributions", "facilitator"),
    ("POST", "/workshops/{id}/privacy", "facilitator"),
    ("POST", "/workshops/{id}/reveal", "facilitator"),
    ("POST", "/workshops/{id}/timer", "facilitator"),
    ("POST", "/workshops/{id}/notes/{kind}", "facilitator"),
    ("GET", "/workshops/{id}/notes/{note}/edit", "facilitator"),
    ("POST", "/workshops/{id}/notes/{note}/edit", "facilitator"),
    ("POST", "/workshops/{id}/notes/{note}/hide", "facilitator"),
    ("POST", "/workshops/{id}/notes/{note}/delete", "facilitator"),
    ("GET", "/workshops/{id}/map", "facilitator"),
    ("GET", "/workshops/{id}/board/map", "facilitator"),
    ("POST", "/workshops/{id}/board/settings", "facilitator"),
    ("POST", "/workshops/{id}/spotlight", "facilitator"),
    ("POST", "/workshops/{id}/notes/{note}/move", "facilitator"),
    ("POST", "/workshops/{id}/notes/{note}/unmerge", "facilitator"),
    ("GET", "/workshops/{id}/map/merge", "facilitator"),
    ("POST", "/workshops/{id}/map/merge", "facilitator"),
    ("POST", "/workshops/{id}/map/lanes/{lane}", "facilitator"),
    ("POST", "/workshops/{id}/map/duplicates/merge", "facilitator"),
    ("POST", "/workshops/{id}/map/duplicates/dismiss", "facilitator"),
    ("POST", "/workshops/{id}/rounds", "facilitator"),
    ("POST", "/workshops/{id}/rounds/{round}", "facilitator"),
    ("POST", "/workshops/{id}/rounds/{round}/proxy", "facilitator"),
    ("GET", "/workshops/{id}/participants/{participant}/remove", "facilitator"),
    ("POST", "/workshops/{id}/participants/{participant}/remove", "facilitator"),
    ("GET", "/workshops/{id}/research/import", "facilitator"),
    ("POST", "/workshops/{id}/research/import", "facilitator"),
    ("GET", "/workshops/{id}/research/import/{upload}", "facilitator"),
    ("POST", "/workshops/{id}/research/import/{upload}", "facilitator"),
    ("GET", "/workshops/{id}/steps/{step}", "facilitator"),
    ("POST", "/workshops/{id}/steps/{step}", "facilitator"),
    ("GET", "/workshops/{id}/template", "facilitator"),
    ("POST", "/workshops/{id}/template", "facilitator"),
    # A facilitator's own templates (others get 404: tests/web/test_templates.py).
    ("GET", "/workshops/templates", "template"),
    ("GET", "/workshops/templates/{template}", "template"),
    ("GET", "/workshops/templates/{template}/rename", "template"),
    ("POST", "/workshops/templates/{template}/rename", "template"),
    ("POST", "/workshops/templates/{template}/delete", "template"),
]

ACCOUNT_ROUTES = [
    route for route in ROUTES if route[2] in ("facilitator", "owner", "member", "template")
]
RUNNER_ROUTES = [r for r in ROUTES if r[2] in ("facilitator", "owner") and "{id}" in r[1]]
OWNER_ROUTES = [route for route in ROUTES if route[2] == "owner"]
RUN_ROUTES = [route for route in ROUTES if route[2] == "facilitator" and "{id}" in route[1]]
MEMBER_ROUTES = [route for route in ROUTES if route[2] == "member"]
WORKSHOP_ROUTES = [route for route in ROUTES if "{id}" in route[1]]
PARTICIPANT_ROUTES = [route for route in ROUTES if route[2] == "participant"]


def test_every_route_is_in_the_access_table(app):
    known = {(method, _rule_of(url)) for method, url, _ in ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, rule.rule) in known, f"{method} {rule.rule} has no access test"


def _rule_of(url: str) -> str:
    return (
        url.replace("{id}", "<int:workshop_id>")
        .replace("{persona}", "<int:persona_id>")
        .replace("{stage}", "<int:stage_id>")
        .replace("{note}", "<int:note_id>")
        .replace("{lane}", "<int:lane_id>")
        .replace("{round}", "<int:round_id>")
        .replace("{member}", "<int:member_id>")
        .replace("{invitation}", "<int:invitation_id>")
        .replace("{token}", "<token>")
        .replace("{action}", "<int:action_id>")
        .replace("{participant}", "<int:participant_id>")
        .replace("{kind}", "<kind>")
        .replace("{upload}", "<key>")
        .replace("{step}", "<step_name>")
        .replace("{template}", "<int:template_id>")
        .replace("{code}", "<code>")
        .replace("/lang/nl", "/lang/<language>")
        .replace("/map.png", "/map.svg")
        .replace("/map.svg", "/<any(map, curve):part>.<any(png, svg):kind>")
    )


@dataclass(frozen=True)
class Target:
    """A workshop owned by someone else than whoever the test plays, with one note."""

    workshop: WorkshopRecord
    note_id: int
    round_id: int = 0
    member_id: int = 0
    action_id: int = 0
    participant_id: int = 0
    invitation_id: int = 0

    def __getattr__(self, name):
        return getattr(self.workshop, name)


def _target(make, owner_email: str) -> Target:
    workshop = make.workshop(make.facilitator(owner_email))
    olga = make.participant(workshop, "Owner's Olga")
    note = make.note(workshop, olga)
    member = make.member(workshop, make.facilitator(f"colleague.{owner_email}"), "organizer")
    return Target(
        workshop, note, make.voting_round(workshop), member, make.action(workshop), olga.id
    )


@pytest.fixture
def target(make):
    return _target(make, "owner@example.org")


def _url(template: str, target, **overrides) -> str:
    values = {
        "id": target.id,
        "persona": target.persona_ids[0],
        "stage": target.stage_ids[0],
        "code": target.join_code,
        "note": target.note_id,
        "lane": target.lane_ids[0],
        "round": target.round_id,
        "member": target.member_id,
        "action": target.action_id,
        "participant": target.participant_id,
        "invitation": target.invitation_id,
        "kind": "insight",
        "upload": "no-such-upload",
        "step": "research",
        "template": 1,
    } | overrides
    return template.format(**values)


def _call(client, method: str, url: str):
    return client.open(url, method=method, data={"name": "x", "position": 0, "target": "live"})


@pytest.mark.parametrize(("method", "template", "owner"), ACCOUNT_ROUTES)
def test_anonymous_visitors_are_sent_to_log_in_or_refused(client, target, method, template, owner):
    response = _call(client, method, _url(template, target))
    if method == "GET":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(("method", "template", "owner"), WORKSHOP_ROUTES)
def test_another_facilitator_gets_404(client, auth, make, target, method, template, owner):
    make.facilitator("intruder@example.org")
    auth.login("intruder@example.org")
    response = _call(client, method, _url(template, target))
    assert response.status_code == 404
    assert "Booking a dentist appointment" not in response.text


@pytest.mark.parametrize(("method", "template", "owner"), WORKSHOP_ROUTES)
def test_a_participant_of_another_workshop_gets_nothing(
    client, make, target, method, template, owner
):
    other = make.workshop()
    participant = make.participant(other)
    client.set_cookie(f"cjm_p_{other.join_code}", participant.token)
    client.set_cookie(f"cjm_p_{target.join_code}", participant.token)
    response = _call(client, method, _url(template, target))
    assert response.status_code == (302 if method == "GET" else 403)


@pytest.mark.parametrize(("method", "template", "owner"), PARTICIPANT_ROUTES)
def test_participant_pages_need_a_participant_of_that_workshop(
    client, make, target, method, template, owner
):
    other = make.workshop()
    stranger = make.participant(other)
    client.set_cookie(f"cjm_p_{target.join_code}", stranger.token)  # a token from workshop B
    response = _call(client, method, _url(template, target))
    if template in SAME_ANSWER_FOR_STRANGERS:
        assert response.status_code == 403
        assert "Join the workshop first" in response.text
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/j/{target.join_code}"


# Taps and event streams answer strangers and unknown codes alike.
SAME_ANSWER_FOR_STRANGERS = {"/w/{code}/dots", "/w/{code}/events", "/w/{code}/board/events"}


def test_a_tap_tells_nothing_about_which_codes_exist(client, make):
    workshop = make.workshop()
    real = client.post(f"/w/{workshop.join_code}/dots", data={"note_id": 1, "action": "add"})
    made_up = client.post("/w/ZZZZZZZZ/dots", data={"note_id": 1, "action": "add"})
    assert real.status_code == made_up.status_code == 403
    assert real.text.replace(workshop.join_code, "ZZZZZZZZ") == made_up.text


@pytest.mark.parametrize(("method", "template", "owner"), WORKSHOP_ROUTES)
def test_unknown_ids_are_404_for_the_owner(client, auth, make, method, template, owner):
    facilitator = make.facilitator("me@example.org")
    workshop = make.workshop(facilitator)
    auth.login("me@example.org")
    mine = Target(
        workshop,
        make.note(workshop),
        make.voting_round(workshop),
        make.member(workshop, make.facilitator("organizer@example.org"), "organizer"),
        make.action(workshop),
    )
    unknown = _url(template, mine, id=workshop.id + 1000)
    assert _call(client, method, unknown).status_code == 404
    parts = (
        "{persona}",
        "{stage}",
        "{note}",
        "{kind}",
        "{lane}",
        "{round}",
        "{member}",
        "{action}",
        "{step}",
    )
    if any(part in template for part in parts):
        # a persona, stage or note of another workshop, or no kind, inside my own URL
        foreign = make.workshop()
        crossed = _url(
            template,
            mine,
            persona=foreign.persona_ids[0],
            stage=foreign.stage_ids[0],
            note=make.note(foreign),
            lane=foreign.lane_ids[0],
            round=make.voting_round(foreign),
            member=make.member(foreign, make.facilitator("theirs@example.org"), "organizer"),
            action=make.action(foreign),
            kind="bogus",
            step="bogus",
        )
        assert _call(client, method, crossed).status_code == 404


# --- workshops shared with other accounts ---------------------------------------------


def _as_member(client, auth, make, target, role: str) -> None:
    make.member(target.workshop, make.facilitator(f"{role}@example.org"), role)
    auth.login(f"{role}@example.org")


def _gets_in(response) -> bool:
    return response.status_code not in (401, 403, 404) and "/login" not in response.headers.get(
        "Location", ""
    )


@pytest.mark.parametrize(("method", "template", "owner"), RUNNER_ROUTES)
def test_an_organizer_cannot_run_or_share_the_workshop(
    client, auth, make, target, method, template, owner
):
    _as_member(client, auth, make, target, "organizer")
    assert _call(client, method, _url(template, target)).status_code == 403


@pytest.mark.parametrize(("method", "template", "owner"), RUN_ROUTES + MEMBER_ROUTES)
def test_a_co_facilitator_gets_what_its_facilitator_gets(
    client, auth, make, target, method, template, owner
):
    twin = _target(make, "twin@example.org")  # the same workshop, for its own facilitator
    auth.login("twin@example.org")
    facilitators = _call(client, method, _url(template, twin)).status_code
    auth.logout()
    _as_member(client, auth, make, target, "co_facilitator")
    assert _call(client, method, _url(template, target)).status_code == facilitators
    assert facilitators != 403


@pytest.mark.parametrize(("method", "template", "owner"), OWNER_ROUTES)
def test_only_its_facilitator_shares_or_deletes_it(
    client, auth, make, target, method, template, owner
):
    _as_member(client, auth, make, target, "co_facilitator")
    assert _call(client, method, _url(template, target)).status_code == 403


@pytest.mark.parametrize(("method", "template", "owner"), MEMBER_ROUTES)
def test_an_organizer_sees_the_results(client, auth, make, target, method, template, owner):
    _as_member(client, auth, make, target, "organizer")
    assert _gets_in(_call(client, method, _url(template, target)))
