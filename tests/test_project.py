"""What a self-hoster looks for: one version number, the `cjm` console script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from cjm_workshop import __version__
from cjm_workshop.cli import command_line
from tests.live.servers import ROOT, free_port


def test_the_version_is_shown_in_the_footer_of_facilitator_pages(client):
    page = client.get("/login").get_data(as_text=True)
    assert f"CJM Workshop {__version__}</footer>" in page
    assert __version__.count(".") == 2


def test_cjm_tells_its_version_and_offers_the_apps_and_the_migrations_commands(monkeypatch):
    result = CliRunner().invoke(command_line(), ["--version"])
    assert result.output == f"CJM Workshop {__version__}\n"
    monkeypatch.setenv("SECRET_KEY", "cli-test")
    listed = CliRunner().invoke(command_line(), ["--help"]).output
    for command in ("serve", "db", "export-json", "seed-demo", "backup"):
        assert f"\n  {command} " in listed, command


def test_cjm_without_settings_says_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "")
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(command_line(), ["db", "current"])
    assert result.exit_code != 0
    assert "SECRET_KEY is required" in result.output
    assert "Traceback" not in result.output


def test_cjm_upgrades_the_database_and_serves_the_app_in_a_folder_with_only_dot_env(tmp_path):
    """`cjm db upgrade` then `cjm serve`, as a deployment runs them (docs/deploy.md)."""
    port = free_port()
    (tmp_path / ".env").write_text(
        f"SECRET_KEY=serve-test\nDATABASE_URL=sqlite:///{tmp_path / 'cjm.sqlite3'}\n"
        f"PORT={port}\nWORKERS=1\nACCESS_LOG=\n",
        encoding="utf-8",
    )
    cjm = [sys.executable, "-m", "cjm_workshop.cli"]
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    subprocess.run([*cjm, "db", "upgrade"], cwd=tmp_path, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*cjm, "serve"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=1
                ) as answer:
                    assert answer.read() == (
                        b'{"database":"ok","status":"ok","version":"'
                        + __version__.encode()
                        + b'"}\n'
                    )
                    break
            except OSError:
                assert time.monotonic() < deadline, "cjm serve did not answer"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_the_systemd_units_verify(tmp_path):
    """deploy/systemd/ as systemd reads it (`systemd-analyze verify`), with the app's path
    being this checkout's `cjm`."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    cjm = Path(sys.executable).parent / "cjm"
    for unit in (ROOT / "deploy" / "systemd").iterdir():
        text = unit.read_text(encoding="utf-8").replace("/srv/cjm/.venv/bin/cjm", str(cjm))
        name = unit.name.replace("@.service", "@8001.service")
        (tmp_path / name).write_text(text, encoding="utf-8")
    verified = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(str(path) for path in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        env=os.environ | {"SYSTEMD_LOG_LEVEL": "warning"},
        cwd=tmp_path,
    )
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr
