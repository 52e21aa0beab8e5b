"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from cjm_workshop import create_app

app = create_app()
