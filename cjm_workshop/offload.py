"""Computing that must not hold up the other requests of a worker.

With gunicorn's gevent worker (the default, see gunicorn.conf.py) every request of a process
runs on one thread, taking turns only where it waits: a second spent computing would stop
every phone and board that process serves for that second. Such work (checking and preparing
a large import) runs in gevent's pool of native threads instead, where the interpreter
switches away from it every few milliseconds and the worker keeps answering. Without gevent
(gthread workers, tests, the CLI) it simply runs where it is called. The work must not touch
the database or the request: its arguments in, its result out.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

Result = TypeVar("Result")


def computed(work: Callable[..., Result], *args: Any) -> Result:
    """`work(*args)`, off the worker's event loop when there is one; its errors are raised
    here as they would be from a direct call."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("threading"):
        return work(*args)
    import gevent

    return gevent.get_hub().threadpool.apply(work, args)
