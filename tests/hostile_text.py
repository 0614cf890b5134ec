"""Hostile text for the output tests: a tiny instance whose free-text fields (title, question,
party names, labels, a citation) and offer hold html's special characters (& ' " <) and
characters a terminal or a file format acts on (ESC sequences that set a window title or
clear the screen, NUL, BEL, CR, a C1 control, a right-to-left override); every command run
on it. Used by test_text_outputs.py (pure Python) and test_html_browser.py (Chromium).
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import yaml
from tiny import q, spec, write

from model.cli import main

CONTROLS = "\x1b]0;pwned\x07 \x1b[2J \x00 \r \x9b \u202e"
HOME = "Trinidad & Tobago"
PARTNER = "People's Republic <of> \"Q\""
TITLE = "Cars & 'trucks' <2025>"
SEGMENT = "cars & co's <b>best</b>"
CHANNEL = "dealers " + CONTROLS + " end"
OFFER_TITLE = "Ten & 'ten' <percent>"
# Text that html must show exactly as written (escaped once: never '&amp;amp;' or '&amp;#x27;').
PLAIN = (HOME, PARTNER, TITLE, SEGMENT, OFFER_TITLE)
RAW_CONTROLS = ("\x1b", "\x00", "\x07", "\x9b", "\u202e")
SHOWN_CONTROLS = "\\x1b]0;pwned\\x07 \\x1b[2J \\x00 \\x0d \\x9b \\u202e"    # `text.visible` of CONTROLS


def instance(overrides: dict | None = None) -> dict:
    return spec({"title": TITLE, "question": f"What would {HOME} give {PARTNER}? {CONTROLS}",
                 "parties": {"home": HOME, "partner": PARTNER},
                 "sources": {"test": {"assumption": "round & 'checked' <numbers> " + CONTROLS}},
                 "segments": {"car": {"label": SEGMENT}}, "channels": {"dealers": {"label": CHANNEL}},
                 **(overrides or {})})


def write_offer(folder: Path) -> Path:
    path = folder / "offer.yaml"
    path.write_text(yaml.safe_dump({
        "schema_version": 1, "offer": "ten", "title": OFFER_TITLE, "note": "a note & 'more' <x> " + CONTROLS,
        "sources": {"s": {"assumption": "an offer's & 'source' <y>"}},
        "fixed_levers": {"tariff": {"cars": q(10, "%", "s")}}}, allow_unicode=True), encoding="utf-8")
    return path


COMMANDS = {
    "run": lambda f, o: ["run", f],
    "frontier": lambda f, o: ["frontier", f, "--points", "3"],
    "sweep": lambda f, o: ["sweep", f, "--param", "segments.car.elasticity=-1,-1.5"],
    "alternatives": lambda f, o: ["alternatives", f, "--count", "2"],
    "evaluate": lambda f, o: ["evaluate", f, "--offer", o],
    "compare": lambda f, o: ["compare", f, o.parent / "other.yaml"],
}
PAGES = {"compare": "comparison.html"}       # the rest write report.html
# What each page must show, as written (the compare page shows the inputs that differ).
SHOWN = {"run": (HOME, PARTNER, TITLE, SEGMENT), "frontier": (HOME, PARTNER, TITLE), "sweep": (HOME, PARTNER, TITLE),
         "alternatives": (HOME, PARTNER, TITLE), "evaluate": (HOME, PARTNER, OFFER_TITLE, SEGMENT),
         "compare": (SEGMENT, "hostile.yaml")}
ESCAPED_TWICE = ("&amp;", "&#x27;", "&#39;", "&lt;", "&gt;", "&quot;")   # as text on a page: escaped twice


def run_every_command(folder: Path) -> dict[str, dict]:
    """Each command on the hostile instance: name -> {code, out (folder), page, stdout, stderr}."""
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(instance(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    write(folder, {"parties": {"home": HOME, "partner": PARTNER}}, name="other.yaml")
    offer = write_offer(folder)
    done = {}
    for name, argv in COMMANDS.items():
        out = folder / f"out-{name}"
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main([str(a) for a in argv(path, offer)] + ["--out", str(out)])
        done[name] = {"code": code, "out": out, "page": out / PAGES.get(name, "report.html"),
                      "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}
    return done
