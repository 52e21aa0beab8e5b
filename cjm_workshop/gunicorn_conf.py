"""gunicorn settings (`cjm serve`, `make run`; `gunicorn -c python:cjm_workshop.gunicorn_conf`).

Live updates are server-sent events: every connected phone, board and console holds one
open request. The gevent worker serves each connection as a greenlet (a few KB) instead of a
thread, so one server holds thousands of open screens while ordinary requests are answered
at once; the database drivers wait cooperatively (psycopg detects gevent; SQLite is local and
its writers queue on a lock that yields). WORKER_CLASS=gthread (with THREADS per worker above
the screens it serves) is the fallback. On shutdown the streams are ended at once, so Ctrl-C
stops the server in about a second even with phones connected.
"""

import os
import signal

from cjm_workshop.config import read_env_file

read_env_file()  # HOST, PORT, WORKERS ... may come from .env too

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WORKERS", "2"))
worker_class = os.environ.get("WORKER_CLASS", "gevent")
worker_connections = int(os.environ.get("CONNECTIONS", "4000"))  # gevent: per worker
threads = int(os.environ.get("THREADS", "200"))  # gthread only
timeout = 30
graceful_timeout = 5
accesslog = os.environ.get("ACCESS_LOG", "-") or None  # ACCESS_LOG= (empty): none


def post_worker_init(worker):
    """Start the process that posters and imports are forked from (offload.py) now, not at
    the first one, whose request would wait while it starts; and end this worker's event
    streams as soon as it is asked to stop."""
    from cjm_workshop import offload

    offload.start()
    app = worker.wsgi

    def stop_streams() -> None:
        hub = getattr(app, "extensions", {}).get("cjm_live")
        if hub is not None:
            hub.stop()

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        previous = signal.getsignal(number)

        def handler(signum, frame, previous=previous):
            stop_streams()
            if callable(previous):
                previous(signum, frame)

        signal.signal(number, handler)
