"""Unbounded, infeasible and error are distinct in every command (issue 22, item 5).

The instance: the tiny one with a purchase that has no limit and costs nothing politically
(US LNG, `max_units: unlimited`), so buying more always lowers the deficit: unbounded. `run`
said so (exit 4, naming the lever); `frontier` said "no zone of possible agreement ... $0
apart" (exit 3) and `sweep` that every input "leaves no deal" (exit 0). Now every command
exits 4 and names the lever, and "no deal" / "no zone" is said only of an infeasible solve;
a solver error or a time limit is said as such (exits 1 and 5).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from tiny import q, write

from model.cli import main

ROOT = Path(__file__).resolve().parent.parent
LNG = {"goods": {"lng": {"label": "US LNG", "unit": "tonne", "unit_value": q(500, "USD/tonne"),
                         "max_units": "unlimited", "political_cost": q(0, "USD/tonne")}}}
LEVER = "US LNG (goods.lng.max_units: unlimited)"
FALSE_CLAIMS = ("no zone of possible agreement:", "There is no zone", "The sides are", "of its draws leaves no deal",
                "no deal possible", "no change to the offer makes it acceptable", "no other lever can repair")
GRID_NO_DEAL = re.compile(r"^\| -?[\d.]+ \| [a-z ]+ \| no deal \|", re.M)     # a grid point's deficit cell


def cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out + out.err


def no_false_claim(*texts: str) -> None:
    for text in texts:
        assert not GRID_NO_DEAL.search(text)
        text = " ".join(text.split())                # as read, whatever the line wrapping
        assert not [c for c in FALSE_CLAIMS if c in text], [c for c in FALSE_CLAIMS if c in text]


@pytest.fixture
def unbounded(tmp_path):
    return write(tmp_path, LNG)


def offer(tmp_path):
    path = tmp_path / "offer.yaml"
    path.write_text("schema_version: 1\noffer: ten\ntitle: ten percent\nsources: {s: {assumption: x}}\n"
                    "fixed_levers: {tariff: {cars: {value: 10, unit: '%', source: s}}}\n")
    return path


COMMANDS = {
    "run": lambda p, t: ["run", p],
    "frontier": lambda p, t: ["frontier", p, "--points", "3"],
    "sweep": lambda p, t: ["sweep", p, "--param", "segments.car.elasticity=-1,-2"],
    "alternatives": lambda p, t: ["alternatives", p],
    "evaluate": lambda p, t: ["evaluate", p, "--offer", offer(t)],
    "compare": lambda p, t: ["compare", p, write(t, {}, "bounded.yaml")],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_reports_unbounded_naming_the_lever(unbounded, tmp_path, capsys, monkeypatch, command):
    monkeypatch.chdir(tmp_path)                   # compare's cache
    out = tmp_path / "out"
    code, text = cli(capsys, *COMMANDS[command](unbounded, tmp_path), "--out", out)
    assert code == 4, text
    assert LEVER in " ".join(text.split()) and "Traceback" not in text
    reports = [p.read_text() for p in out.glob("*.md")]
    assert reports                                # the report is written, as `run` writes it
    no_false_claim(text, *reports)


def test_unbounded_sweep_says_so_per_grid_point(unbounded, tmp_path, capsys):
    code, text = cli(capsys, "sweep", unbounded, "--param", "segments.car.elasticity=-1,-2", "--out", tmp_path / "o")
    assert code == 4
    assert "segments.car.elasticity=-1: unbounded" in text and "unbounded 2" in text
    assert "| -1 | unbounded | unbounded |" in (tmp_path / "o" / "report.md").read_text()


def test_frontier_of_fixed_terms_that_hide_an_unbounded_free_negotiation(tmp_path, capsys):
    """The instance fixes the LNG purchase (its deal is bounded), but the frontier frees every
    lever: the free negotiation is unbounded, and that is what the frontier says."""
    path = write(tmp_path, {**LNG, "fixed_levers": {"purchases": {"lng": q(10, "tonne")}}})
    code, text = cli(capsys, "frontier", path, "--points", "3", "--out", tmp_path / "o")
    text = " ".join(text.split())
    assert code == 4 and "unbounded at the frontier's home-best end" in text and LEVER in text
    no_false_claim(text, (tmp_path / "o" / "report.md").read_text())


@pytest.mark.parametrize("status, code, words", [("error", 1, "the solver failed at the frontier's home-best end"),
                                                 ("time_limit", 5, "time limit was reached at the frontier's")])
def test_frontier_end_that_did_not_solve_is_no_zone_claim(tmp_path, capsys, monkeypatch, status, code, words):
    from model.optimization.handle import LoadedModel, Solution
    real, calls = LoadedModel.lexicographic, []

    def ends_fail(self, first, second, time_limit=None):
        """The command's own solve (the first) runs; the frontier's home-best end then fails."""
        calls.append(first)
        if len(calls) == 1:
            return real(self, first, second, time_limit)
        return Solution(status, "HiGHS stopped: test")
    monkeypatch.setattr(LoadedModel, "lexicographic", ends_fail)
    got, text = cli(capsys, "frontier", write(tmp_path), "--points", "3", "--out", tmp_path / "o")
    text = " ".join(text.split())
    assert got == code and words in text and "No zone of possible agreement is claimed" in text
    no_false_claim(text, (tmp_path / "o" / "report.md").read_text())


def test_infeasible_frontier_is_still_no_zone(tmp_path, capsys):
    """A proven infeasibility is still "no zone" (exit 3) with the smallest relaxation."""
    code, text = cli(capsys, "frontier", ROOT / "instances" / "no_zopa_example.yaml", "--points", "3",
                     "--out", tmp_path / "o")
    assert code == 3 and "There is no zone of possible agreement" in text and "smallest relaxation" in text


def test_a_draw_that_errs_is_an_error_with_its_reason(tmp_path, capsys, monkeypatch):
    """A draw ending in a solver error used to be recorded with no reason; it is exit 1 and
    the terminal gives the solver's reason, and no table calls it 'no deal'."""
    from model.optimization.resolve import DrawResult, Resolver
    monkeypatch.setattr(Resolver, "solve", lambda self, inst: DrawResult("error", "HiGHS stopped: test crash"))
    code, text = cli(capsys, "sweep", write(tmp_path), "--param", "segments.car.elasticity=-1,-2",
                     "--out", tmp_path / "o")
    assert code == 1 and "error in draw 0: HiGHS stopped: test crash (and 1 more draws" in text
    report = (tmp_path / "o" / "report.md").read_text()
    assert "| -1 | error | error |" in report
    no_false_claim(text, report)


def test_no_deficit_words():
    from model.reporting.words import no_deficit
    assert no_deficit({"infeasible": 3}) == "no deal"
    assert no_deficit("unbounded") == "unbounded"
    assert no_deficit({"infeasible": 1, "error": 2}) == "error 2, infeasible 1"
    assert no_deficit("optimal") == "not verified"
