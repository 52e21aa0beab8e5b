"""CSRF protection on every POST, htmx included, without losing typed text."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from cjm_workshop.extensions import db
from cjm_workshop.models import Participant, Stage

pytestmark = pytest.mark.usefixtures("csrf_on")


def token_from(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_post_without_token_is_refused_and_keeps_the_text(client, app, make):
    workshop = make.workshop()
    response = client.post(
        f"/j/{workshop.join_code}",
        data={"display_name": "Anna <3", "join_key": "nonce-1"},
    )
    assert response.status_code == 400
    assert "Please send again" in response.text
    assert "Anna &lt;3" in response.text  # shown (escaped) and resent
    assert 'name="display_name" value="Anna &lt;3"' in response.text
    assert count(app, Participant) == 0
    # Sending the page again (it carries a fresh token) joins.
    resend = client.post(
        f"/j/{workshop.join_code}",
        data={
            "display_name": "Anna <3",
            "join_key": "nonce-1",
            "csrf_token": token_from(response.text),
        },
    )
    assert resend.status_code == 303
    assert count(app, Participant) == 1


def test_a_stale_token_never_echoes_passwords(client):
    response = client.post(
        "/login",
        data={"email": "me@example.org", "password": "secret-pw-123", "csrf_token": "stale"},
    )
    assert response.status_code == 400
    assert "me@example.org" in response.text
    assert "secret-pw-123" not in response.text


def test_htmx_posts_send_the_token_header(client, app, make, auth):
    facilitator = make.facilitator("me@example.org")
    workshop = make.workshop(facilitator)
    login_page = client.get("/login").text
    client.post(
        "/login",
        data={
            "email": "me@example.org",
            "password": "correct horse battery",
            "csrf_token": token_from(login_page),
        },
    )
    page = client.get(f"/workshops/{workshop.id}").text
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    url = f"/workshops/{workshop.id}/stages"
    refused = client.post(url, data={"name": "Loyalty"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400
    assert refused.headers["HX-Retarget"] == "main"
    assert count(app, Stage) == 5
    accepted = client.post(
        url,
        data={"name": "Loyalty"},
        headers={"HX-Request": "true", "X-CSRFToken": header_token},
    )
    assert accepted.status_code == 200
    assert "Loyalty" in accepted.text
    assert count(app, Stage) == 6


def test_tokens_last_the_whole_session(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


def test_pages_send_a_same_origin_referrer_policy(client):
    response = client.get("/")
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
