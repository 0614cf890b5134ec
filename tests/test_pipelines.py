"""Each command is one declared pipeline (`model.run.pipelines`): every part of the results its
report reads is filled by one of its steps, and each report section reads only what it declares
(`reporting.markdown.READS`), checked by rendering every section on results that record what is read."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from model.economics.loading import load
from model.optimization.handle import NegotiationModel
from model.reporting import markdown
from model.results import Results
from model.run import FRONTIER, RUN, SWEEP, Context, Options, execute

ROOT = Path(__file__).resolve().parent.parent
# What the solve step fills: the results' core.
CORE_FIELDS = {"instance", "status", "message", "objective", "metrics", "levers", "constraints", "verification",
               "solver", "shadow_prices", "assumptions", "inputs", "stages", "warnings", "timings"}
SECTION_FIELDS = {f.name for f in fields(Results)}
REPORTS = {"run": (RUN, ()), "frontier": (FRONTIER, ()), "sweep": (SWEEP, ("sweep",))}
NOT_SHOWN = {"run": {"sweep_section"}, "frontier": {"sweep_section"}, "sweep": {"frontier_section"}}
LEFT_OUT = {"run": set(), "frontier": set(), "sweep": {"frontier"}}    # a sweep's report is about its draws


class Recorder:
    """Results that remember which of their parts are read."""

    def __init__(self, results: Results):
        object.__setattr__(self, "_results", results)
        object.__setattr__(self, "seen", set())

    def __getattr__(self, name):
        if name in SECTION_FIELDS:
            self.seen.add(name)
        return getattr(self._results, name)


def test_every_step_fills_a_part_of_the_results():
    for steps, _ in REPORTS.values():
        for step in steps:
            assert step.fills == "deal" or step.fills in SECTION_FIELDS, step.fills
            assert step.does, step.fills


def test_every_section_is_declared_and_reads_only_what_exists():
    body, appendix = markdown.sections()
    assert {f.__name__ for f in body + appendix} == set(markdown.READS)
    for name, reads in markdown.READS.items():
        assert set(reads) <= SECTION_FIELDS - CORE_FIELDS, name


@pytest.mark.parametrize("command", sorted(REPORTS))
def test_a_commands_pipeline_fills_what_its_report_reads(command):
    steps, after = REPORTS[command]
    filled = {s.fills for s in steps} | set(after) | LEFT_OUT[command]
    for name, reads in markdown.READS.items():
        if name in NOT_SHOWN[command]:
            continue
        assert set(reads) <= filled, f"{command}: the section {name} reads {set(reads) - filled}, which no step fills"


def test_the_declaration_can_fail():
    """A pipeline without its frontier step leaves the first screen's and the frontier section's reads unfilled."""
    filled = {s.fills for s in RUN if s.fills != "frontier"}
    assert not set(markdown.READS["frontier_section"]) <= filled


@pytest.mark.parametrize("name, points", [("toyota_2025", 5), ("no_zopa_example", 0), ("july_2025_framework", 5)])
def test_each_section_reads_only_what_it_declares(name, points):
    r = execute(RUN, Context(NegotiationModel(load(ROOT / "instances" / f"{name}.yaml")),
                             Options(frontier_points=points, concessions=False)))
    body, appendix = markdown.sections()
    for section in body + appendix:
        rec = Recorder(r)
        section(rec)
        extra = rec.seen - CORE_FIELDS - set(markdown.READS[section.__name__])
        assert not extra, f"{section.__name__} reads {extra} without declaring it"
