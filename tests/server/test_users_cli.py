"""`kolscope user add|list|revoke|rotate` (issue 16): a token printed once, alone on stdout; errors in
one line on stderr, exit 2; a data directory a server holds is said so, with the ways that work then."""

from __future__ import annotations

import pytest

from server.cli import main
from server.store import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["user", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("kolscope: "), (code, out, err)
    assert "Traceback" not in err
    return err


def test_add_prints_the_token_once_and_it_signs_in(tmp_path, capsys):
    data = str(tmp_path)
    code, out, err = run(capsys, "add", "ana", "--admin", "--data", data)
    assert code == 0 and "shown only this once" in err
    token = out.strip()
    assert out == token + "\n" and len(token) >= 40
    with Store(tmp_path) as store:
        assert store.user_for_token(token)["name"] == "ana"
        assert store.get_user("ana")["admin"] is True
    code, out, _ = run(capsys, "list", "--data", data)
    assert code == 0 and token not in out
    header, row = out.splitlines()
    assert header.split() == ["NAME", "ADMIN", "CREATED", "REVOKED", "TOKEN"]
    assert row.split()[:2] == ["ana", "yes"] and row.rstrip().endswith(token[:4] + "…")


def test_rotate_replaces_and_revoke_ends_a_token(tmp_path, capsys):
    data = str(tmp_path)
    old = run(capsys, "add", "bo", "--data", data)[1].strip()
    code, out, err = run(capsys, "rotate", "bo", "--data", data)
    new = out.strip()
    assert code == 0 and new and new != old and "old one no longer works" in err
    code, out, err = run(capsys, "revoke", "bo", "--data", data)
    assert code == 0 and out == "" and "revoked bo" in err
    with Store(tmp_path) as store:
        assert store.user_for_token(old) is None and store.user_for_token(new) is None
    row = run(capsys, "list", "--data", data)[1].splitlines()[1]
    assert row.split()[:2] == ["bo", "no"] and "-" != row.split()[4]  # a revocation time


def test_no_users_yet_is_said(tmp_path, capsys):
    code, out, err = run(capsys, "list", "--data", str(tmp_path))
    assert code == 0 and out == "" and "no users yet" in err


@pytest.mark.parametrize("argv, words", [
    (("add",), "needs the user's NAME"),
    (("revoke",), "needs the user's NAME"),
    (("list", "ana"), "takes no NAME"),
    (("revoke", "ana", "--admin"), "--admin goes with"),
    (("add", "a b"), "is not a user name"),
    (("add", "owner"), "'owner' is the store's own token's name"),
    (("revoke", "nobody"), "there is no user nobody (`kolscope user list` shows them)"),
    (("rotate", "nobody"), "there is no user nobody"),
])
def test_mistakes_are_one_line(tmp_path, capsys, argv, words):
    assert words in one_line_error(capsys, *argv, "--data", str(tmp_path))


def test_a_taken_name_is_one_line(tmp_path, capsys):
    run(capsys, "add", "ana", "--data", str(tmp_path))
    assert "There is a user named ANA already" in one_line_error(capsys, "add", "ANA", "--data", str(tmp_path))


def test_a_directory_a_server_holds_points_to_the_dashboard_and_api(tmp_path, capsys):
    with Store(tmp_path):  # as a running server holds it
        err = one_line_error(capsys, "add", "ana", "--data", str(tmp_path))
    assert "a kolscope server is running on the data directory" in err
    assert "Users page" in err and "POST /api/v1/users" in err
