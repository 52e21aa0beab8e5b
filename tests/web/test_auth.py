"""Sign up, log in, remember me, log out, and the log-in throttle."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from cjm_workshop.extensions import db
from cjm_workshop.models import Facilitator, LoginSession
from cjm_workshop.models.base import utcnow
from tests.conftest import AuthActions

SIGNUP = {
    "name": "Frida",
    "email": "frida@example.org",
    "password": "correct horse battery",
    "password_confirm": "correct horse battery",
}


def count_facilitators(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Facilitator))


def test_sign_up_logs_in_and_shows_the_dashboard(client, app):
    response = client.post("/signup", data=SIGNUP)
    assert response.status_code == 302
    assert count_facilitators(app) == 1
    dashboard = client.get("/workshops/")
    assert dashboard.status_code == 200
    assert "Welcome, Frida!" in dashboard.text
    assert "No workshops yet" in dashboard.text


def test_sign_up_refuses_bad_input_and_writes_nothing(client, app):
    cases = [
        ({"name": "   "}, "This field is required."),
        ({"email": "not-an-address"}, "Enter a valid e-mail address."),
        ({"password": "short", "password_confirm": "short"}, "Use at least 10 characters."),
        ({"password_confirm": "something else"}, "The passwords do not match."),
        ({"name": "x" * 10_000}, "Use between 1 and 80 characters."),
    ]
    for change, message in cases:
        response = client.post("/signup", data=SIGNUP | change)
        assert response.status_code == 422, change
        assert message in response.text
    assert count_facilitators(app) == 0


def test_an_email_address_cannot_sign_up_twice(client, app, make):
    make.facilitator("frida@example.org")
    response = client.post("/signup", data=SIGNUP | {"email": "Frida@Example.org"})
    assert response.status_code == 422
    assert "already exists" in response.text
    assert count_facilitators(app) == 1


def test_names_with_html_are_shown_escaped(client):
    client.post("/signup", data=SIGNUP | {"name": "<script>alert(1)</script>"})
    page = client.get("/workshops/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_log_in_and_log_out(client, auth, make):
    make.facilitator("frida@example.org")
    response = auth.login("frida@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/workshops/"
    assert client.get("/workshops/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/workshops/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, auth, make):
    make.facilitator("frida@example.org")
    response = auth.login("frida@example.org", "wrong password")
    assert response.status_code == 422
    assert "E-mail address or password is wrong." in response.text
    assert client.get("/workshops/").status_code == 302


def test_log_in_goes_back_to_the_page_asked_for_but_never_off_site(client, make):
    make.facilitator("frida@example.org")
    login = {"email": "frida@example.org", "password": "correct horse battery"}
    response = client.post("/login?next=/workshops/new", data=login)
    assert response.headers["Location"] == "/workshops/new"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/x", data=login)
    assert response.headers["Location"] == "/workshops/"


def test_remember_me_sets_a_safe_long_lived_cookie(client, make):
    make.facilitator("frida@example.org")
    response = client.post(
        "/login",
        data={"email": "frida@example.org", "password": "correct horse battery", "remember": "y"},
    )
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember
    assert "SameSite=Lax" in remember
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    # A fresh browser with only the remember cookie is still logged in.
    token = remember.split(";", 1)[0].split("=", 1)[1]
    client.delete_cookie("session")
    client.set_cookie("remember_token", token)
    assert client.get("/workshops/").status_code == 200


def test_failed_log_ins_are_throttled_but_successes_do_not_count(client, auth, make):
    make.facilitator("frida@example.org")
    for _ in range(12):
        assert auth.login("frida@example.org").status_code == 302
        auth.logout()
    statuses = [auth.login("frida@example.org", "wrong").status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    throttled = auth.login("frida@example.org")
    assert throttled.status_code == 429
    assert "Please wait a minute" in throttled.text
    assert int(throttled.headers["Retry-After"]) == 60


def test_one_account_held_back_does_not_lock_colleagues_at_the_same_address_out(app, auth, make):
    make.facilitator("frida@example.org")
    make.facilitator("colleague@example.org")
    for _ in range(10):
        auth.login("frida@example.org", "wrong")
    assert auth.login("frida@example.org").status_code == 429
    colleague = AuthActions(app.test_client())  # another laptop in the same office
    assert colleague.login("colleague@example.org").status_code == 302


def test_trying_many_accounts_from_one_address_is_held_back(app, auth):
    statuses = [auth.login(f"someone{n}@example.org", "guess").status_code for n in range(61)]
    assert statuses == [422] * 60 + [429]


def test_sign_ups_are_limited_per_address(client):
    statuses = [
        client.post(
            "/signup",
            data={"name": "X", "email": f"x{n}@example.org", "password": "short"},
        ).status_code
        for n in range(6)
    ]
    assert statuses == [422] * 5 + [429]


def copy_cookies(source, target) -> None:
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def remembered_and_copied(app, client, make):
    """Frida logs in with "remember me"; a thief copies her cookies."""
    make.facilitator("frida@example.org")
    client.post(
        "/login",
        data={"email": "frida@example.org", "password": "correct horse battery", "remember": "y"},
    )
    thief = app.test_client()
    copy_cookies(client, thief)
    return thief


def test_logging_out_ends_the_log_in_also_for_a_copied_cookie(app, client, auth, make):
    thief = remembered_and_copied(app, client, make)
    assert thief.get("/workshops/").status_code == 200  # a copy works while the log-in lasts
    auth.logout()
    assert thief.get("/workshops/").status_code == 302  # the session cookie is worth nothing
    thief.delete_cookie("session")
    assert thief.get("/workshops/").status_code == 302  # nor is the remember-me cookie


def test_a_log_in_ends_on_the_server_when_its_remember_me_cookie_would(app, client, make):
    """A browser drops a remember-me cookie after REMEMBER_COOKIE_DURATION; a copy of it
    (or of a session cookie kept fresh) is refused by then too."""
    thief = remembered_and_copied(app, client, make)
    thief.delete_cookie("session")  # only the remember-me cookie: it restores the session
    lasts = app.config["REMEMBER_COOKIE_DURATION"]

    def begun_seconds_ago(seconds: int) -> None:
        with app.app_context():
            db.session.execute(
                update(LoginSession).values(created_at=utcnow() - timedelta(seconds=seconds))
            )
            db.session.commit()

    begun_seconds_ago(lasts - 3600)
    assert thief.get("/workshops/").status_code == 200
    assert client.get("/workshops/").status_code == 200
    begun_seconds_ago(lasts + 1)
    assert thief.get("/workshops/").status_code == 302
    assert client.get("/workshops/").status_code == 302


def test_log_out_everywhere_else_keeps_only_this_browser(app, client, auth, make):
    make.facilitator("frida@example.org")
    laptop, phone = app.test_client(), app.test_client()
    for other in (laptop, phone):
        AuthActions(other).login("frida@example.org")
    auth.login("frida@example.org")
    page = client.get("/account")
    assert "Log out everywhere else" in page.text
    answer = client.post("/account/logout-elsewhere", follow_redirects=True)
    assert "Logged out in 2 other browsers." in answer.text
    assert client.get("/workshops/").status_code == 200
    assert laptop.get("/workshops/").status_code == 302
    assert phone.get("/workshops/").status_code == 302


def test_a_password_change_needs_the_current_one_and_logs_out_the_others(app, client, auth, make):
    make.facilitator("frida@example.org")
    other = app.test_client()
    AuthActions(other).login("frida@example.org")
    auth.login("frida@example.org")
    new = {"password": "a much better secret", "password_confirm": "a much better secret"}
    wrong = client.post("/account", data={"current_password": "guess"} | new)
    assert wrong.status_code == 422
    assert "That is not your current password." in wrong.text
    assert "a much better secret" not in wrong.text and "guess" not in wrong.text
    assert other.get("/workshops/").status_code == 200  # nothing changed
    changed = client.post("/account", data={"current_password": "correct horse battery"} | new)
    assert changed.status_code == 303
    assert client.get("/workshops/").status_code == 200  # this browser stays logged in
    assert other.get("/workshops/").status_code == 302
    auth.logout()
    assert auth.login("frida@example.org", "a much better secret").status_code == 302
