"""The real `kolscope` command (a subprocess) on an unusable data directory and a busy port: one
plain line naming the way out, exit code 2, never a Python traceback, and no "serving on" first."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def kolscope(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


def _unusable_dirs(tmp_path: Path) -> list[tuple[Path, str]]:
    """Data directories kolscope cannot use, with the words for each: a file in the way, and one it
    may not write (a read-only folder for an ordinary user; root writes anywhere, but not in /sys)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = [(blocker, "a file is in the way"), (blocker / "data", "a file is in the way")]
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        out.append((locked / "data", "kolscope may not write there (permission denied)"))
    elif Path("/sys").is_dir():
        out.append((Path("/sys/kolscope-test-data"), "kolscope may not write there"))
    return out


@pytest.mark.parametrize("command", [["serve", "--no-scheduler", "--port", "1"], ["token"], ["refresh", "--all"]])
def test_an_unusable_data_directory_is_one_plain_line(tmp_path, command):
    for data, words in _unusable_dirs(tmp_path):
        done = kolscope(*command, "--data", str(data))
        assert done.returncode == 2, (data, done.stderr)
        assert "Traceback" not in done.stderr and "Errno" not in done.stderr
        [line] = done.stderr.strip().splitlines()
        assert f"cannot use the data directory {data}: {words}" in line
        assert "--data DIR" in line
        assert "serving on" not in done.stdout


def _holder() -> tuple[socket.socket, int]:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s, s.getsockname()[1]


def test_a_busy_port_names_the_fix_and_does_not_say_serving_on(tmp_path):
    holder, port = _holder()
    try:
        done = kolscope("serve", "--data", str(tmp_path / "data"), "--port", str(port), "--no-scheduler")
    finally:
        holder.close()
    assert done.returncode == 2
    assert "serving on" not in done.stdout and "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"kolscope: port {port} on 127.0.0.1 is already in use (another kolscope, or another program). "
        f"Start on another port: `PORT={port + 1} make run` or `kolscope serve --port {port + 1}`.")
    # the data directory was released: another start on it is not refused as locked
    holder, port = _holder()
    try:
        again = kolscope("serve", "--data", str(tmp_path / "data"), "--port", str(port), "--no-scheduler")
    finally:
        holder.close()
    assert "already in use" in again.stderr and "Another kolscope process" not in again.stderr
