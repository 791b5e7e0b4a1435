"""`kolscope token` and `kolscope serve` on a directory another server holds."""

from __future__ import annotations

import subprocess
import sys

import pytest

from server.cli import main
from server.store import Store
from tests.server.api.test_crash import ROOT, free_port, start_server


def test_token_created_then_stable(tmp_path, capsys):
    assert main(["token", "--data", str(tmp_path)]) == 0
    first = capsys.readouterr().out.strip()
    assert len(first) >= 40
    assert main(["token", "--data", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == first
    with Store(tmp_path) as s:
        assert s.token() == first


def test_token_while_the_store_is_locked(tmp_path, capsys):
    with Store(tmp_path) as s:
        tok = s.token()
        assert main(["token", "--data", str(tmp_path)]) == 0
        assert capsys.readouterr().out.strip() == tok


@pytest.mark.slow
def test_second_server_on_same_data_fails_clearly(tmp_path):
    data = tmp_path / "data"
    first = start_server(data, free_port())
    try:
        second = subprocess.run(
            [sys.executable, "-m", "server.cli", "serve", "--data", str(data), "--port", str(free_port()),
             "--no-scheduler"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert "Another kolscope process is using the data directory" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.terminate()
        first.wait(10)
