"""A `limits` storage backend on the app's own database (scheme ``cjm-db://``).

Flask-Limiter's ``memory://`` storage is per process: with several gunicorn workers every
limit silently multiplies. Keeping the counters in the database shares them between all
workers and app servers without asking a self-hosting organisation to run Redis (which
still works: set RATELIMIT_STORAGE_URI=redis://...).
"""

from __future__ import annotations

import time

from limits.storage import Storage
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from cjm_workshop.database import read_only_connection
from cjm_workshop.extensions import db
from cjm_workshop.models import RateLimitCounter

_TABLE = RateLimitCounter.__table__


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["cjm-db"]

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
        upsert = dialect.insert(_TABLE).values(key=key, count=amount, expires_at=now + expiry)
        upsert = upsert.on_conflict_do_update(
            index_elements=[_TABLE.c.key], set_={"count": _TABLE.c.count + amount}
        ).returning(_TABLE.c.count)
        with db.engine.begin() as connection:
            connection.execute(
                delete(_TABLE).where(_TABLE.c.key == key, _TABLE.c.expires_at <= now)
            )
            return int(connection.execute(upsert).scalar_one())

    def _row(self, key: str):
        with read_only_connection(db.engine) as connection:
            return connection.execute(
                select(_TABLE.c.count, _TABLE.c.expires_at).where(_TABLE.c.key == key)
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.count) if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row is not None else time.time()

    def check(self) -> bool:
        try:
            with read_only_connection(db.engine) as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(_TABLE)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(_TABLE).where(_TABLE.c.key == key))
