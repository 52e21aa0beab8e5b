"""What several workers and phones at once must not break: shared throttle, unique names."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from cjm_workshop import create_app
from cjm_workshop.extensions import db
from cjm_workshop.models import Participant


def test_the_throttle_is_shared_by_separate_app_processes(app, client, make):
    """A second app instance (another gunicorn worker) sees the first one's failed codes."""
    workshop = make.workshop()
    other_worker = create_app(dict(app.config))
    for n in range(10):
        assert client.post("/join", data={"code": f"WRONG{n:03d}"}).status_code == 404
    response = other_worker.test_client().get(f"/j/{workshop.join_code}")
    with other_worker.app_context():
        db.engine.dispose()
    assert response.status_code == 429


def test_simultaneous_joins_with_one_name_all_succeed_with_distinct_names(app, make):
    workshop = make.workshop()

    def join(_number: int) -> int:
        client = app.test_client()
        page = client.get(f"/j/{workshop.join_code}").text
        key = re.search(r'name="join_key" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post(
            f"/j/{workshop.join_code}", data={"display_name": "Anna", "join_key": key}
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(join, range(16)))
    assert statuses == [303] * 16
    with app.app_context():
        names = db.session.scalars(
            select(Participant.display_name).where(Participant.workshop_id == workshop.id)
        ).all()
    assert len(names) == 16
    assert len({name.casefold() for name in names}) == 16
    assert "Anna" in names
