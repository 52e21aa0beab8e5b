"""A whole workshop as a JSON file through the web: the download on the results page, the
upload on the dashboard (what it makes, what it refuses, in which language), CSRF."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from cjm_workshop.extensions import db
from cjm_workshop.models import Workshop
from cjm_workshop.services import transfer
from tests.factories import row_counts
from tests.web.test_csrf import token_from


def rows(app) -> dict[str, int]:
    with app.app_context():
        return row_counts(db.session)


def upload(client, body: bytes, filename: str = "workshop.json", **kwargs):
    """Post a file as a browser would. (The body is encoded here, in memory: the test
    client spools a large one to a temporary file it never closes.)"""
    fields = {"file": FileStorage(io.BytesIO(body), filename)} | kwargs.pop("data", {})
    boundary, encoded = encode_multipart(fields)
    return client.post(
        "/workshops/import",
        data=encoded,
        content_type=f"multipart/form-data; boundary={boundary}",
        **kwargs,
    )


@pytest.fixture
def room(make, me):
    workshop = make.workshop(me, title="Tandarts <online>")
    anna = make.participant(workshop, "Anna")
    make.note(workshop, anna, "Lange wachttijd", kind="pain_point")
    make.action(workshop, "Terugbelknop")
    return workshop


def test_the_download_is_the_workshop_as_json(client, app, room):
    answer = client.get(f"/workshops/{room.id}/export/workshop.json")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="{room.join_code.lower()}-workshop.json"'
    )
    document = json.loads(answer.data.decode("utf-8"))
    assert document["workshop"]["title"] == "Tandarts <online>"
    assert document["notes"][0]["author"] == "P1"
    assert "Anna" not in answer.text
    with app.app_context():
        workshop = db.session.get(Workshop, room.id)
        assert document == transfer.export_workshop(db.session, workshop)
    page = client.get(f"/workshops/{room.id}/results").text
    assert f"/workshops/{room.id}/export/workshop.json" in page


def test_organizers_of_an_anonymous_workshop_get_no_authors(client, auth, make):
    owner = make.facilitator("owner@example.org")
    workshop = make.workshop(owner, anonymous=True)
    make.note(workshop, make.participant(workshop, "Anna"), "Secret thought")
    make.member(workshop, make.facilitator("organizer@example.org"), "organizer")
    url = f"/workshops/{workshop.id}/export/workshop.json"
    auth.login("owner@example.org")
    assert client.get(url).json["notes"][0]["author"] == "P1"
    auth.logout()
    auth.login("organizer@example.org")
    organizers = client.get(url).json
    assert organizers["notes"][0]["author"] is None
    assert organizers["participants"] == [{"key": "P1"}]


def test_an_upload_makes_a_new_workshop_of_mine(client, app, make, room):
    body = client.get(f"/workshops/{room.id}/export/workshop.json").data
    assert "/workshops/import" in client.get("/workshops/").text
    assert "<form" in client.get("/workshops/import").text
    answer = upload(client, body)
    assert answer.status_code == 303
    with app.app_context():
        copy = db.session.scalars(select(Workshop).order_by(Workshop.id.desc())).first()
        assert copy.id != room.id and copy.facilitator.email == "me@example.org"
        assert copy.join_code != room.join_code
        assert transfer.export_workshop(db.session, copy) == json.loads(body)
    assert answer.headers["Location"] == f"/workshops/{copy.id}"
    page = client.get(answer.headers["Location"]).text
    assert "imported, with the new join code" in page
    assert "Tandarts &lt;online&gt;" in page


def test_a_workshop_being_imported_is_out_of_everyone_s_sight(client, app, make, room):
    with app.app_context():
        db.session.execute(update(Workshop).where(Workshop.id == room.id).values(importing=True))
        db.session.commit()
    assert "Tandarts &lt;online&gt;" not in client.get("/workshops/").text
    assert client.get(f"/workshops/{room.id}").status_code == 404
    assert client.get(f"/workshops/{room.id}/export/workshop.json").status_code == 404
    for path in ("/w/{}", "/j/{}", "/w/{}/events"):  # as if the code did not exist
        hidden, unknown = (client.get(path.format(code)) for code in (room.join_code, "ZZZZ9999"))
        assert hidden.status_code == unknown.status_code != 200
    hidden, unknown = (client.post("/join", data={"code": c}) for c in (room.join_code, "ZZZZ9999"))
    assert hidden.status_code == unknown.status_code != 303


def test_an_import_that_cannot_finish_says_so(client, app, room, monkeypatch):
    body = client.get(f"/workshops/{room.id}/export/workshop.json").data
    monkeypatch.setattr(transfer, "IMPORT_TIME_LIMIT", 0.001)
    answer = upload(client, body)
    assert answer.status_code == 503
    assert "The import could not finish. Please try again." in answer.text
    assert client.get("/workshops/").text.count("Tandarts &lt;online&gt;") == 1


def test_a_file_larger_than_other_requests_may_be_is_imported(client, app, room):
    document = client.get(f"/workshops/{room.id}/export/workshop.json").json
    stage = document["stages"][0]["key"]
    document["notes"] = [
        {
            "key": f"n{n}",
            "kind": "touchpoint",
            "step": "touchpoints",
            "text": "x" * 280,
            "stage": stage,
            "channel": "website",
            "position": n,
        }
        for n in range(3500)
    ]
    document["actions"] = []
    body = json.dumps(document).encode()
    assert app.config["MAX_CONTENT_LENGTH"] < len(body) < transfer.MAX_DOCUMENT_BYTES
    assert upload(client, body).status_code == 303


BAD = [
    (b"not json at all", "This file is not JSON", "Dit bestand is geen JSON"),
    (
        b'{"format": "cjm-workshop", "version": 3}',
        "this server reads versions 1 and 2",
        "versie 1 en 2",
    ),
    (b'{"format": "trello"}', "This is not a CJM Workshop file", "geen CJM Workshop-bestand"),
]


@pytest.mark.parametrize(("body", "english", "dutch"), BAD)
def test_a_bad_file_is_refused_in_the_readers_language(client, app, me, body, english, dutch):
    before = rows(app)
    answer = upload(client, body)
    assert answer.status_code == 400
    assert english in answer.text
    dutch_answer = upload(client, body, headers={"Accept-Language": "nl"})
    assert dutch_answer.status_code == 400
    assert dutch in dutch_answer.text
    assert rows(app) == before


def test_a_broken_reference_names_where_it_is(client, app, room):
    document = client.get(f"/workshops/{room.id}/export/workshop.json").json
    document["notes"][0]["stage"] = "stage-99"
    before = rows(app)
    answer = upload(client, json.dumps(document).encode())
    assert answer.status_code == 400
    assert "notes[0].stage" in answer.text
    assert "“stage-99”" in answer.text
    assert rows(app) == before


def test_no_file_or_another_kind_of_file_is_refused(client, app, me):
    before = rows(app)
    assert "Choose a workshop file" in client.post("/workshops/import", data={}).text
    other = upload(client, b"{}", filename="notes.txt")
    assert other.status_code == 400
    assert "Choose a .json file" in other.text
    assert rows(app) == before


def test_too_large_files_are_413(client, app, me):
    before = rows(app)
    just_over = upload(client, b" " * (transfer.MAX_DOCUMENT_BYTES + 1))
    assert just_over.status_code == 413
    assert "at most 4 MB" in just_over.text
    far_over = upload(client, b" " * (transfer.MAX_DOCUMENT_BYTES + 100 * 1024))
    assert far_over.status_code == 413
    assert rows(app) == before


@pytest.mark.usefixtures("csrf_on")
def test_the_upload_needs_the_csrf_token(client, app, make, auth):
    make.facilitator("me@example.org")
    login_page = client.get("/login").text
    token = token_from(login_page)
    client.post(
        "/login",
        data={"email": "me@example.org", "password": "correct horse battery", "csrf_token": token},
    )
    workshop = make.workshop()
    with app.app_context():
        body = transfer.export_json(db.session, db.session.get(Workshop, workshop.id)).encode()
    before = rows(app)
    refused = upload(client, body)
    assert refused.status_code == 400
    assert rows(app) == before
    page = client.get("/workshops/import").text
    token = token_from(page)
    accepted = upload(client, body, data={"csrf_token": token})
    assert accepted.status_code == 303
    assert rows(app)["workshop"] == before["workshop"] + 1
