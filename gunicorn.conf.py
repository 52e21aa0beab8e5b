"""gunicorn settings (`make run`, and a starting point for deployments).

Live updates are server-sent events: every connected phone, board and console holds one
open request. gthread workers give each its own thread, so THREADS per worker must stay
above the number of screens a worker serves (2 workers x 200 threads = 400 screens) or
ordinary requests starve behind the streams. On shutdown the streams are ended at once,
so Ctrl-C stops the server in about a second even with phones connected.
"""

import os
import signal

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "200"))
timeout = 30
graceful_timeout = 5
accesslog = os.environ.get("ACCESS_LOG", "-") or None  # ACCESS_LOG= (empty): none


def post_worker_init(worker):
    """End this worker's event streams as soon as it is asked to stop."""
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
