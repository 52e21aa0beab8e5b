"""Who may sign up (SIGNUP), invitations by e-mail, and a forgotten password, through the
web, with mail delivered to a real local SMTP server (the `mailbox` fixture)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from cjm_workshop.extensions import db
from cjm_workshop.models import Facilitator, Invitation, Role, Workshop, WorkshopMember
from cjm_workshop.models.base import utcnow
from cjm_workshop.services import invitations
from tests.factories import row_counts

NEW_ACCOUNT = {
    "name": "Nel",
    "password": "a fine new password",
    "password_confirm": "a fine new password",
}
SIGNUP = NEW_ACCOUNT | {"email": "nel@example.org"}


def accounts_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Facilitator))


def memberships(app, workshop) -> list[tuple[str, Role]]:
    with app.app_context():
        rows = db.session.execute(
            select(Facilitator.email, WorkshopMember.role)
            .join(WorkshopMember, WorkshopMember.facilitator_id == Facilitator.id)
            .where(WorkshopMember.workshop_id == workshop.id)
        )
        return [(email, role) for email, role in rows]


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {k: v for k, v in row_counts(db.session).items() if k != "rate_limit_counter"}


def link_in(message, path: str) -> str:
    body = message.get_content()
    found = re.search(rf"http://localhost({re.escape(path)}[\w.\-]+)", body)
    assert found, body
    return found.group(1)


@pytest.fixture
def signup_mode(app, monkeypatch):
    def set_mode(mode: str) -> None:
        monkeypatch.setitem(app.config, "SIGNUP", mode)

    return set_mode


@pytest.fixture
def workshop(make, me):
    return make.workshop(me)


def invite(client, workshop, email="nel@example.org", role="co_facilitator"):
    return client.post(f"/workshops/{workshop.id}/members", data={"email": email, "role": role})


# --- SIGNUP ------------------------------------------------------------------------------


def test_open_sign_up_is_linked_and_works(client, app):
    assert 'href="/signup"' in client.get("/login").text
    assert 'href="/signup"' in client.get("/").text
    assert client.post("/signup", data=SIGNUP).status_code == 302
    assert accounts_count(app) == 1


@pytest.mark.parametrize(
    ("mode", "status", "message"),
    [
        ("invite", 403, "you can only sign up through an invitation"),
        ("closed", 404, "new accounts are created by its administrator"),
    ],
)
def test_sign_up_by_invitation_or_closed(client, app, signup_mode, mode, status, message):
    signup_mode(mode)
    assert 'href="/signup"' not in client.get("/login").text
    assert 'href="/signup"' not in client.get("/").text
    for answer in (client.get("/signup"), client.post("/signup", data=SIGNUP)):
        assert answer.status_code == status
        assert message in answer.text
    assert accounts_count(app) == 0


# --- invitations -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["open", "invite"])
def test_an_invitation_is_mailed_and_signing_up_with_it_shares_the_workshop(
    client, app, auth, workshop, mailbox, signup_mode, mode
):
    signup_mode(mode)
    answer = invite(client, workshop, " Nel@Example.org ")
    assert answer.status_code == 303
    overview = client.get(f"/workshops/{workshop.id}").text
    assert "we sent an invitation by e-mail" in overview
    assert "Invitations not yet accepted" in overview and "nel@example.org" in overview

    [mail] = mailbox.wait(1)
    assert mail["To"] == "nel@example.org"
    assert mail["From"] == "CJM Workshop <noreply@cjm.test>"
    assert mail["Subject"] == "You are invited to a customer journey workshop"
    assert "Booking a dentist appointment" in mail.get_content()
    link = link_in(mail, "/signup/")

    auth.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert 'value="nel@example.org" readonly' in page.text
    assert "as co-facilitator. Create your account" in page.text
    # The address is the invitation's, whatever is posted.
    done = client.post(link, data=NEW_ACCOUNT | {"email": "other@example.org"})
    assert done.status_code == 302
    assert memberships(app, workshop) == [("nel@example.org", Role.CO_FACILITATOR)]
    dashboard = client.get("/workshops/").text
    assert "The workshop is shared with you." in dashboard
    assert "Booking a dentist appointment" in dashboard

    auth.logout()
    before = counts(app)
    again = client.post(link, data=NEW_ACCOUNT)
    assert again.status_code == 410
    assert "has been used already" in again.text
    assert counts(app) == before


def test_without_a_mail_server_the_owner_gets_the_link_beside_the_invitation_once(client, workshop):
    overview = client.get(f"/workshops/{workshop.id}").text
    assert "gets an invitation link, for you to send" in overview
    invite(client, workshop)
    shown = client.get(f"/workshops/{workshop.id}").text
    sharing = shown.split('id="sharing"', 1)[1]
    row = sharing.split('id="invitations"', 1)[1].split("</li>", 1)[0]
    assert "nel@example.org" in row
    assert re.search(
        r'id="invitation-link" type="text" readonly value="http://localhost/signup/', row
    )
    again = client.get(f"/workshops/{workshop.id}").text  # only a hash is kept: shown once
    assert "nel@example.org" in again and 'id="invitation-link"' not in again


def test_an_address_that_signed_up_meanwhile_logs_in_to_accept(client, app, auth, make, workshop):
    invite(client, workshop, role="organizer")
    link = re.search(
        r"http://localhost(/signup/[\w\-]+)", client.get(f"/workshops/{workshop.id}").text
    ).group(1)
    make.facilitator("nel@example.org", name="Nel")  # signed up on her own meanwhile
    auth.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "There is an account for nel@example.org already" in page.text
    assert f'href="/login?next={link}"' in page.text
    assert memberships(app, workshop) == []
    auth.login("nel@example.org")
    accepted = client.get(link)
    assert accepted.status_code == 302 and accepted.location.endswith("/workshops/")
    assert memberships(app, workshop) == [("nel@example.org", Role.ORGANIZER)]
    assert client.get(link).status_code == 410  # used


def test_expired_wrong_and_withdrawn_invitations_show_a_clear_page(client, app, auth, workshop):
    invite(client, workshop)  # no mail server: the owner is given the link
    overview = client.get(f"/workshops/{workshop.id}").text
    assert "could not be sent by e-mail" in overview
    link = re.search(r"http://localhost(/signup/[\w\-]+)", overview).group(1)
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
        db.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    auth.logout()
    before = counts(app)
    expired = client.post(link, data=NEW_ACCOUNT)
    assert expired.status_code == 410 and "This invitation has expired." in expired.text
    wrong = client.get(link[:-3] + "abc")
    assert wrong.status_code == 404 and "This invitation link does not work" in wrong.text
    assert counts(app) == before

    auth.login("me@example.org")
    invite(client, workshop)  # a new one replaces the expired one
    fresh = re.search(
        r"http://localhost(/signup/[\w\-]+)", client.get(f"/workshops/{workshop.id}").text
    ).group(1)
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
    withdrawn = client.post(f"/workshops/{workshop.id}/invitations/{invitation_id}/delete")
    assert withdrawn.status_code == 303
    after = client.get(f"/workshops/{workshop.id}").text
    assert "The invitation to nel@example.org is withdrawn." in after
    assert "Invitations not yet accepted" not in after
    auth.logout()
    assert client.get(fresh).status_code == 404
    assert accounts_count(app) == 1


def test_closed_sign_up_invites_nobody(client, app, auth, workshop, signup_mode, mailbox):
    invite(client, workshop)
    link = link_in(mailbox.wait(1)[0], "/signup/")
    signup_mode("closed")
    refused = invite(client, workshop, "other@example.org")
    assert refused.status_code == 422
    assert "accounts are created by its administrator" in refused.text
    auth.logout()
    before = counts(app)
    assert client.post(link, data=NEW_ACCOUNT).status_code == 404
    assert counts(app) == before


@pytest.mark.parametrize(("role", "status"), [("co_facilitator", 403), ("organizer", 403)])
def test_only_the_owner_invites_and_withdraws(client, app, auth, make, workshop, role, status):
    invite(client, workshop)
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
    colleague = make.facilitator("cor@example.org")
    make.member(workshop, colleague, role)
    make.facilitator("stranger@example.org")
    withdraw = f"/workshops/{workshop.id}/invitations/{invitation_id}/delete"
    for email, expected in (("cor@example.org", status), ("stranger@example.org", 404)):
        auth.logout()
        auth.login(email)
        assert client.post(withdraw).status_code == expected
        assert invite(client, workshop, "x@example.org").status_code == expected
        assert "x@example.org" not in client.get(f"/workshops/{workshop.id}").text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
    # Another workshop's invitation through this one's address: not found.
    auth.logout()
    auth.login("cor@example.org")
    own = make.workshop(colleague)
    assert client.post(f"/workshops/{own.id}/invitations/{invitation_id}/delete").status_code == 404


def test_invitation_forms_need_their_csrf_token(client, app, auth, workshop, csrf_on):
    with app.app_context():
        owned = db.session.get(Workshop, workshop.id)
        token = invitations.invite(
            db.session,
            owned,
            owned.facilitator,
            "nel@example.org",
            Role.ORGANIZER,
            valid_for=timedelta(days=1),
        ).token
        db.session.commit()
    auth.logout()
    before = counts(app)
    assert client.post(f"/signup/{token}", data=NEW_ACCOUNT).status_code == 400
    assert client.post("/password/forgot", data={"email": "me@example.org"}).status_code == 400
    assert counts(app) == before


# --- a forgotten password ----------------------------------------------------------------


def test_forgotten_password_end_to_end(client, app, auth, make, mailbox):
    make.facilitator("frida@example.org")
    elsewhere = app.test_client()
    elsewhere.post(
        "/login", data={"email": "frida@example.org", "password": "correct horse battery"}
    )
    assert elsewhere.get("/workshops/").status_code == 200

    assert "Forgot your password?" in client.get("/login").text
    asked = client.post("/password/forgot", data={"email": "Frida@example.org"})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert asked.status_code == unknown.status_code == 303
    assert "we have sent it a link to set a new password" in client.get("/login").text
    [mail] = mailbox.wait(1)
    assert mail["To"] == "frida@example.org" and mail["Subject"] == "Set a new password"
    link = link_in(mail, "/password/reset/")

    page = client.get(link)
    assert page.status_code == 200 and "frida@example.org" in page.text
    short = client.post(link, data={"password": "short", "password_confirm": "short"})
    assert short.status_code == 422
    done = client.post(
        link, data={"password": "a fresh password", "password_confirm": "a fresh password"}
    )
    assert done.status_code == 303
    assert elsewhere.get("/workshops/").status_code == 302  # logged out everywhere
    assert auth.login("frida@example.org", "a fresh password").status_code == 302
    auth.logout()
    used = client.get(link)
    assert used.status_code == 410 and "has been used already" in used.text
    assert auth.login("frida@example.org", "correct horse battery").status_code == 422
    assert len(mailbox.messages) == 1  # nothing was sent for the unknown address


def test_reset_links_that_are_wrong_or_old(client, app, make, monkeypatch, mailbox):
    make.facilitator("frida@example.org")
    client.post("/password/forgot", data={"email": "frida@example.org"})
    link = link_in(mailbox.wait(1)[0], "/password/reset/")
    assert client.get(link[:-4] + "abcd").status_code == 404
    monkeypatch.setitem(app.config, "PASSWORD_RESET_SECONDS", -1)
    old = client.post(
        link, data={"password": "a fresh password", "password_confirm": "a fresh password"}
    )
    assert old.status_code == 410 and "has expired" in old.text
    assert (
        client.post(
            "/login", data={"email": "frida@example.org", "password": "correct horse battery"}
        ).status_code
        == 302
    )


def test_without_a_mail_server_the_page_says_ask_an_administrator(client, make):
    make.facilitator("frida@example.org")
    page = client.get("/password/forgot")
    assert "ask its administrator" in page.text and "cjm reset-password" in page.text
    assert 'name="email"' not in page.text
    assert client.post("/password/forgot", data={"email": "frida@example.org"}).status_code == 200


def test_reset_mails_are_limited_per_address_asked_about(client, make, mailbox):
    make.facilitator("frida@example.org")
    answers = [
        client.post("/password/forgot", data={"email": "frida@example.org"}).status_code
        for _ in range(4)
    ]
    assert answers == [303, 303, 303, 429]
    mailbox.wait(3)
    assert client.post("/password/forgot", data={"email": "x@example.org"}).status_code == 303


def test_administrator_resets_a_password_in_the_shell(runner, app, make):
    make.facilitator("frida@example.org")
    printed = runner.invoke(args=["cjm", "reset-password", "frida@example.org", "--link"])
    assert printed.exit_code == 0, printed.output
    assert re.fullmatch(r"http://\S+/password/reset/\S+\n", printed.output)
    result = runner.invoke(
        args=["cjm", "reset-password", "Frida@example.org"],
        input="a shell password\na shell password\n",
    )
    assert result.exit_code == 0, result.output
    client = app.test_client()
    login = {"email": "frida@example.org", "password": "a shell password"}
    assert client.post("/login", data=login).status_code == 302
    missing = runner.invoke(args=["cjm", "reset-password", "nobody@example.org"], input="x\n")
    assert missing.exit_code == 1 and "no account" in missing.output


def test_an_invitation_speaks_the_workshops_language(client, make, me, mailbox):
    workshop = make.workshop(me, language="nl")
    invite(client, workshop, role="organizer")
    [mail] = mailbox.wait(1)
    assert mail["Subject"] == "Je bent uitgenodigd voor een klantreisworkshop"
    assert "als organisator." in mail.get_content()  # a role mid-sentence: lower case


def test_signup_and_mail_settings_from_the_environment(monkeypatch):
    from cjm_workshop import config

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("BASE_URL", "https://cjm.example.org")
    settings = config.from_environment()
    assert settings["SIGNUP"] == "open" and settings["SMTP_HOST"] == ""
    assert settings["MAIL_FROM"] == "CJM Workshop <noreply@cjm.example.org>"
    monkeypatch.setenv("SIGNUP", "Invite")
    monkeypatch.setenv("SMTP_SSL", "1")
    settings = config.from_environment()
    assert settings["SIGNUP"] == "invite"
    assert (settings["SMTP_PORT"], settings["SMTP_STARTTLS"]) == (465, False)
    monkeypatch.setenv("SIGNUP", "sometimes")
    with pytest.raises(config.ConfigError, match="SIGNUP must be one of"):
        config.from_environment()


def test_links_in_mails_name_this_server_whatever_host_a_request_claims(
    client, make, mailbox, monkeypatch, app
):
    """A reset link built from a forged Host would hand the token to that host."""
    make.facilitator("frida@example.org")
    monkeypatch.setitem(app.config, "BASE_URL", "https://cjm.example.org")
    forged = {"Host": "evil.example"}
    assert client.post("/password/forgot", data={"email": "frida@example.org"}, headers=forged)
    [mail] = mailbox.wait(1)
    assert "https://cjm.example.org/password/reset/" in mail.get_content()
    assert "evil.example" not in mail.get_content()
    # Without BASE_URL no mail goes out at all: the page says to ask an administrator.
    monkeypatch.setitem(app.config, "BASE_URL", "")
    page = client.get("/password/forgot", headers=forged)
    assert "cjm reset-password" in page.text
    client.post("/password/forgot", data={"email": "frida@example.org"}, headers=forged)
    assert len(mailbox.messages) == 1
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("SMTP_HOST", "smtp.example.org")
    monkeypatch.delenv("BASE_URL", raising=False)
    from cjm_workshop import config

    with pytest.raises(config.ConfigError, match="BASE_URL is required when SMTP_HOST"):
        config.from_environment()


@pytest.mark.parametrize(
    "typed", ["not an address", "a@example.org, b@example.org", "a@example.org\r\nBcc: b@x.org"]
)
def test_sharing_takes_one_real_address_only(client, app, workshop, typed):
    answer = client.post(
        f"/workshops/{workshop.id}/members", data={"email": typed, "role": "organizer"}
    )
    assert answer.status_code == 422
    assert "Enter a valid e-mail address." in answer.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
