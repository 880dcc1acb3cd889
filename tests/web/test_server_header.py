"""Under gunicorn (the Procfile's server) the Server header names no version."""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import web_config


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path, template_db):
    database = tmp_path / "gunicorn.db"
    shutil.copyfile(template_db, database)
    config = web_config(tmp_path, database)
    env = dict(os.environ, SALES_DATABASE_URL=config["DATABASE_URL"], SALES_SECRET_KEY="test-secret-key",
               SALES_INSTANCE_PATH=config["INSTANCE_PATH"], SALES_COOKIE_SECURE="0")
    port = _free_port()
    binary = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(binary), "--bind", f"127.0.0.1:{port}", "--workers", "1",
                               "sales_service:create_app()"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_does_not_advertise_versions(gunicorn):
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=10)
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    response.read()
    connection.close()
    servers = [value for name, value in response.getheaders() if name.lower() == "server"]
    assert response.status == 200
    assert servers == ["gunicorn"] or all(not re.search(r"\d|/", value) for value in servers)
    assert len(servers) <= 1
    assert response.getheader("Content-Security-Policy")  # the app's headers made it through
