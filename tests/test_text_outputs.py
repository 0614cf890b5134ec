"""Every text neutralised for where it goes (issue 22, item 6), on the hostile instance of
tests/hostile_text.py run through every command:

- html pages show `&`, `'`, `"` and `<` exactly as written, escaped once (read back from
  the DOM with html.parser; tests/test_html_browser.py reads the same pages in Chromium);
- the terminal, report.md, the CSV files and the SVG charts show control characters as
  escapes (`\\x1b`), never raw: no window title set, no screen cleared, no NUL in a file;
- results.json keeps the text exactly; workbooks hold it in their own escaping (_x001B_).
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import hostile_text as H
import openpyxl
import pytest

from model.cli import main
from model.text import clip, quoted, visible


class Dom(HTMLParser):
    """The text a browser shows (character references decoded; no style sheet)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self._style = [], 0

    def handle_starttag(self, tag, attrs):
        self._style += tag == "style"

    def handle_endtag(self, tag):
        self._style -= tag == "style"

    def handle_data(self, data):
        if not self._style:
            self.text.append(data)


def page_text(path) -> str:
    dom = Dom()
    dom.feed(path.read_text(encoding="utf-8"))
    return "".join(dom.text)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    return H.run_every_command(tmp_path_factory.mktemp("text"))


def test_every_command_runs_on_the_hostile_instance(outputs):
    assert {name: o["code"] for name, o in outputs.items()} == {name: 0 for name in H.COMMANDS}


@pytest.mark.parametrize("command", list(H.COMMANDS))
def test_html_shows_special_characters_escaped_once(outputs, command):
    """'Trinidad & Tobago' and "People's Republic" used to read 'Trinidad &amp;amp; Tobago' and
    'People&#x27;s Republic' on the evaluate page."""
    page = outputs[command]["page"]
    text = page_text(page)
    for expected in H.SHOWN[command]:
        assert expected in text, (command, expected)
    assert not [e for e in H.ESCAPED_TWICE if e in text], (command, [e for e in H.ESCAPED_TWICE if e in text])
    raw = page.read_text(encoding="utf-8")
    assert not [c for c in H.RAW_CONTROLS if c in raw], command


def test_html_shows_control_characters_as_escapes(outputs):
    text = page_text(outputs["run"]["page"])
    assert H.SHOWN_CONTROLS in text


@pytest.mark.parametrize("command", list(H.COMMANDS))
def test_terminal_output_never_carries_control_characters(outputs, command):
    """A party name or label with ESC sequences used to clear the screen and set the window title."""
    o = outputs[command]
    for stream in (o["stdout"], o["stderr"]):
        assert not [c for c in H.RAW_CONTROLS if c in stream], (command, stream[:300])


def test_terminal_output_shows_the_escapes(outputs):
    said = "".join(o["stdout"] for o in outputs.values())
    assert H.PARTNER in said and "\\x1b]0;pwned\\x07" in said


@pytest.mark.parametrize("command", list(H.COMMANDS))
def test_files_for_reading_hold_no_raw_control_characters(outputs, command):
    files = [p for p in outputs[command]["out"].iterdir() if p.suffix in (".md", ".csv", ".svg", ".html")]
    assert {p.suffix for p in files} >= {".md", ".html"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not [c for c in H.RAW_CONTROLS if c in text], path.name
        if path.suffix == ".svg":
            ElementTree.fromstring(text.encode("utf-8"))          # well-formed XML
    md = next(p for p in files if p.suffix == ".md").read_text(encoding="utf-8")
    assert H.HOME in md or H.SEGMENT in md


def test_report_md_and_csv_show_the_escapes(outputs):
    out = outputs["run"]["out"]
    assert H.SHOWN_CONTROLS in (out / "report.md").read_text(encoding="utf-8")
    assert "\\x1b]0;pwned\\x07" in (out / "levers.csv").read_text(encoding="utf-8")


def test_results_json_keeps_text_exactly(outputs):
    results = json.loads((outputs["run"]["out"] / "results.json").read_text(encoding="utf-8"))
    assert results["instance"]["parties"] == {"home": H.HOME, "partner": H.PARTNER}
    assert any(H.CONTROLS in lv["label"] for lv in results["levers"])
    evaluation = json.loads((outputs["evaluate"]["out"] / "evaluation.json").read_text(encoding="utf-8"))
    assert evaluation["offer"]["title"] == H.OFFER_TITLE


def test_workbooks_hold_the_text_in_their_own_escaping(outputs):
    for name, book in (("run", "results.xlsx"), ("compare", "comparison.xlsx")):
        cells = [c for ws in openpyxl.load_workbook(outputs[name]["out"] / book).worksheets
                 for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        assert any("_x001B_]0;pwned_x0007_" in c for c in cells), name      # Excel shows the character


def test_error_messages_show_control_characters_as_escapes(tmp_path, capsys):
    from tiny import write
    path = write(tmp_path, {"segments": {"car": {"colour\x1b]0;pwned\x07": "red"}}})
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "colour\\x1b]0;pwned\\x07" in err


def test_nothing_written_to_the_streams_can_drive_the_terminal(tmp_path, capsys, monkeypatch):
    """The streams themselves pass only escapes, whoever writes (a library, a warning)."""
    import sys

    import model.jobs as jobs

    def noisy(*args, **kwargs):
        print("library \x1b[2J \x00 \x9b says", file=sys.stderr)
        sys.stdout.write("progress\rbar\n")
        return "ok", ""
    monkeypatch.setattr(jobs, "validate", noisy)
    assert main(["validate", "x.yaml"]) == 0
    out = capsys.readouterr()
    assert "library \\x1b[2J \\x00 \\x9b says" in out.err and "\x1b" not in out.err
    assert "progress\rbar" in out.out          # a progress bar's carriage return stays


def test_visible_quoted_and_clip():
    assert visible("a\x1bb\x00\tc\nd\x7f\x85\u202e\ud800") == "a\\x1bb\\x00\tc\nd\\x7f\\x85\\u202e\\ud800"
    assert visible("a\nb\tc", one_line=True) == "a\\x0ab\\x09c"
    assert visible("Trinidad & Tobago, People's, <x>, \u05e9\u05dc\u05d5\u05dd") == \
        "Trinidad & Tobago, People's, <x>, \u05e9\u05dc\u05d5\u05dd"       # text, and right-to-left text, unchanged
    assert quoted("x" * 100, 10) == "'xxxxxxxxxx... (90 more characters)'"
    long = "head " + "y" * 10_000 + " hint: the end"
    cut = clip(long, 1_000)
    assert len(cut) < 1_100 and cut.startswith("head ") and cut.endswith("hint: the end")
    assert re.search(r"\[\.\.\. 9,\d\d\d characters cut \.\.\.\]", cut)
