"""The CSV export's formula guard: every cell a spreadsheet would read as a formula is shown as text."""

from __future__ import annotations

import csv
import io

import pytest

from server.api.exports import _cell, formula_like
from tests.server.api.conftest import post_capture, x_capture


@pytest.mark.parametrize("text", [
    "=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\rx", "\tplain", "\r",
    " =HYPERLINK(\"http://evil\")",      # a leading space: spreadsheets skip it
    "\n=1+1", "\r\n@x", "  \t -2",       # line feeds and mixed whitespace before the sign
    "\u00a0=1", "\u3000=1",               # no-break and ideographic spaces
    "\u200b=1", "\ufeff+1", "\x00=1",     # zero-width space, BOM, NUL (format/control characters)
    "＝1+1", "＋1", "－1", "＠x", " ＝cmd",  # full-width signs, NFKC-equal to = + - @
    "﹦1",                                # the small equals sign, NFKC '='
])
def test_formula_cells_are_neutralised(text):
    assert formula_like(text)
    assert _cell(text) == "'" + text


@pytest.mark.parametrize("text", ["", " ", "\n", "Bo Runs", "a=b", "1-2", "mail@example.com", "'=x",
                                  "https://x.com/bo", "ランナー", "５人"])
def test_plain_cells_are_left_alone(text):
    assert not formula_like(text)
    assert _cell(text) == text


def test_numbers_and_flags_are_not_text():
    assert _cell(-3.5) == "-3.5" and _cell(-2) == "-2"  # numbers are not creator text
    assert _cell(None) == "" and _cell(True) == "yes"


def test_export_guards_spaced_and_full_width_formulas(client, auth):
    post_capture(client, auth, x_capture("eve", name="＝HYPERLINK(evil)"))
    wid = client.post("/api/v1/watchlists", json={"name": "Guard"}, headers=auth).json["id"]
    client.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": "eve"}, headers=auth)
    client.post("/api/v1/creators/x/eve/notes", json={"text": "\n=cmd|' /C calc'!A0"}, headers=auth)
    r = client.get(f"/api/v1/watchlists/{wid}/export.csv", headers=auth)
    row = next(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert row["display_name"] == "'＝HYPERLINK(evil)"
    assert row["notes"].startswith("' =cmd")  # the note's line feed became a space; still guarded
