"""The baselines bench/live_delivery.py measures the app against, served the same way
(gunicorn with cjm_workshop/gunicorn_conf.py: same workers, same worker class, same database):

- `POST /insert`: one row inserted through Flask-SQLAlchemy and committed, nothing else
  (no session, no CSRF, no checks, no live event): what one write costs here at the least.
- `GET /events` and `POST /echo`: a bare server-sent-events echo. A posted text is handed to
  every worker process (a datagram to a socket of each, as the app's doorbell rings) and
  written to every open stream as it is: what fanning a message out costs at the least.

    gunicorn -c python:cjm_workshop.gunicorn_conf --no-control-socket bench.bare_app:app
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
import time

from flask import Flask, Response, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite://")
db = SQLAlchemy(app)
FOLDER = os.path.join(tempfile.gettempdir(), f"cjm-bare-{os.environ.get('PORT', '0')}")


class Echo:
    """This process's listeners, fed by a thread (a greenlet under gevent) reading its
    datagram socket."""

    def __init__(self) -> None:
        self.listeners: set = set()
        self.lock = threading.Lock()
        self.started = False

    def start(self) -> None:
        with self.lock:
            if self.started:
                return
            self.started = True
        os.makedirs(FOLDER, exist_ok=True)
        path = os.path.join(FOLDER, str(os.getpid()))
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        receiver.bind(path)
        threading.Thread(target=self._run, args=(receiver,), daemon=True).start()

    def _run(self, receiver: socket.socket) -> None:
        while True:
            message = receiver.recv(65536).decode()
            with self.lock:
                listeners = list(self.listeners)
            for inbox in listeners:
                inbox.put(message)


echo = Echo()
sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sender.setblocking(False)


@app.post("/insert")
def insert():
    db.session.execute(text("INSERT INTO bare_note (text) VALUES (:text)"), request.form)
    db.session.commit()
    return "", 201


@app.post("/echo")
def post_echo():
    message = request.form["text"].encode()
    for name in os.listdir(FOLDER):
        for _ in range(1000):  # a full queue (net.unix.max_dgram_qlen) empties in moments
            try:
                sender.sendto(message, os.path.join(FOLDER, name))
                break
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                break  # a process that has gone
    return "", 201


@app.get("/events")
def events():
    import queue

    echo.start()
    inbox: queue.SimpleQueue = queue.SimpleQueue()

    def stream():
        with echo.lock:
            echo.listeners.add(inbox)
        try:
            yield "retry: 2000\n\n"
            while True:
                try:
                    message = inbox.get(timeout=15)
                except queue.Empty:
                    yield ": keepalive\n\n"
                    continue
                yield f"event: note\ndata: {message}\n\n"
        finally:
            with echo.lock:
                echo.listeners.discard(inbox)

    return Response(stream(), mimetype="text/event-stream")


@app.get("/healthz")
def healthz():
    return "ok"


def create_schema(database_url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    with engine.begin() as connection:
        key = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
        connection.execute(text(f"CREATE TABLE bare_note (id {key} PRIMARY KEY, text TEXT)"))
    engine.dispose()
