"""Each command is one declared pipeline (`model.run.pipelines`): every part of the results its
report reads is filled by one of its steps, and each report section reads only what it declares
(`reporting.markdown.READS`; for `alternatives` and `evaluate`, `alternatives_report.READS` and
`offer_report.READS`), checked by rendering every section on results that record what is read."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
import yaml
from tiny import q, tiny

from model.analyses.offers import side_by_side
from model.data.offers import load_offer
from model.economics.loading import load
from model.optimization.handle import NegotiationModel
from model.optimization.horizon import command_model
from model.reporting import alternatives_report, markdown, offer_report, offers_side_by_side
from model.results import Alternatives, OfferEvaluation, Results
from model.run import (
    ALTERNATIVES,
    EVALUATE,
    FRONTIER,
    PIPELINES,
    RUN,
    SWEEP,
    WHOLE,
    Context,
    Options,
    execute,
    execute_alternatives,
    execute_evaluation,
)

ROOT = Path(__file__).resolve().parent.parent
# What the solve step fills: the results' core.
CORE_FIELDS = {"instance", "status", "message", "objective", "metrics", "levers", "constraints", "verification",
               "solver", "shadow_prices", "assumptions", "inputs", "stages", "warnings", "timings"}
SECTION_FIELDS = {f.name for f in fields(Results)}
REPORTS = {"run": (RUN, ()), "frontier": (FRONTIER, ()), "sweep": (SWEEP, ("sweep",))}
NOT_SHOWN = {"run": {"sweep_section", "policy_curve_section"}, "frontier": {"sweep_section", "policy_curve_section"},
             "sweep": {"frontier_section"}}
# A sweep's report is about its draws (its own share with a deal is in `sweep`, which the first
# screen reads only on a sweep's results); `run`'s draws (`robustness`) belong to the deal's
# report, not the frontier's.
LEFT_OUT = {"run": {"sweep"}, "frontier": {"robustness", "sweep", "assumption_rank"},
            "sweep": {"frontier", "robustness", "assumption_rank"}}
# Filled by the solve step itself (`fills="deal"`), beyond the core: a horizon's years (`run.horizon.solve_horizon`).
SOLVED = {"over_time"}


class Recorder:
    """Results that remember which of their parts (the fields of their class) are read."""

    def __init__(self, results):
        object.__setattr__(self, "_results", results)
        object.__setattr__(self, "_fields", {f.name for f in fields(results)})
        object.__setattr__(self, "seen", set())

    def __getattr__(self, name):
        if name in self._fields:
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
    filled = {s.fills for s in steps} | set(after) | LEFT_OUT[command] | (SOLVED if any(s.fills == "deal" for s in steps)
                                                                          else set())
    for name, reads in markdown.READS.items():
        if name in NOT_SHOWN[command]:
            continue
        assert set(reads) <= filled, f"{command}: the section {name} reads {set(reads) - filled}, which no step fills"


def test_the_declaration_can_fail():
    """A pipeline without its frontier step leaves the first screen's and the frontier section's reads unfilled."""
    filled = {s.fills for s in RUN if s.fills != "frontier"}
    assert not set(markdown.READS["frontier_section"]) <= filled


@pytest.mark.parametrize("name, points", [("toyota_2025", 5), ("no_zopa_example", 0), ("july_2025_framework", 5),
                                          ("staged_relief", 5)])          # a deal over three years
def test_each_section_reads_only_what_it_declares(name, points):
    r = execute(RUN, Context(command_model(load(ROOT / "instances" / f"{name}.yaml")),
                             Options(frontier_points=points, concessions=False)))
    assert (r.over_time is not None) == (name == "staged_relief")
    body, appendix = markdown.sections()
    for section in body + appendix:
        rec = Recorder(r)
        section(rec)
        extra = rec.seen - CORE_FIELDS - set(markdown.READS[section.__name__])
        assert not extra, f"{section.__name__} reads {extra} without declaring it"


# -- alternatives and evaluate: results of their own, and READS beside each report ---------------

# command -> (its pipeline, its results' class, its report module, the first step: the whole results)
OWN = {"alternatives": (ALTERNATIVES, Alternatives, alternatives_report, "alternatives"),
       "evaluate": (EVALUATE, OfferEvaluation, offer_report, "evaluation")}
RENDERINGS = ("markdown", "html", "frame", "terminal")


def test_every_command_is_declared():
    assert set(PIPELINES) == {"run", "frontier", "sweep", "compare", "alternatives", "evaluate"}
    assert PIPELINES["alternatives"] is ALTERNATIVES and PIPELINES["evaluate"] is EVALUATE


def filled(steps, cls) -> set[str]:
    """The fields of `cls` a pipeline fills: all of them from a step that makes the whole, then each step's own."""
    names = {f.name for f in fields(cls)}
    out = set()
    for step in steps:
        out |= names if step.fills in WHOLE else {step.fills}
    return out


@pytest.mark.parametrize("command", sorted(OWN))
def test_each_step_of_alternatives_and_evaluate_fills_a_part_of_its_results(command):
    steps, cls, _, whole = OWN[command]
    names = {f.name for f in fields(cls)}
    assert steps[0].fills == whole and WHOLE[whole] == whole     # the first step makes the results
    for step in steps[1:]:
        assert step.fills in names, step.fills
        assert step.does and step.rule, step.fills               # a step after the first runs on a rule


@pytest.mark.parametrize("command", sorted(OWN))
def test_the_reports_reads_are_declared_and_filled(command):
    steps, cls, report, _ = OWN[command]
    names = {f.name for f in fields(cls)}
    assert set(report.READS) == set(RENDERINGS)
    for rendering in RENDERINGS:
        assert callable(getattr(report, rendering))
        reads = set(report.READS[rendering])
        assert reads <= names, f"{command}: {rendering} declares {reads - names}, which {cls.__name__} has not"
        assert reads <= filled(steps, cls), rendering
    # Without the step that makes the whole, nothing the report reads is filled.
    assert not set(report.READS["markdown"]) <= filled(steps[1:], cls)


def folder(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.mkdir(exist_ok=True)
    return path


def render(report, rendering: str, results, out: Path):
    fn = getattr(report, rendering)
    return fn(results, out) if rendering == "terminal" else fn(results)


def check_reads(report, cases: list, out: Path) -> None:
    """Each rendering reads only what it declares, and, over the cases, all of it."""
    for rendering in RENDERINGS:
        seen = set()
        for results in cases:
            rec = Recorder(results)
            render(report, rendering, rec, out)
            seen |= rec.seen
        declared = set(report.READS[rendering])
        assert seen <= declared, f"{rendering} reads {seen - declared} without declaring it"
        assert declared <= seen, f"{rendering} declares {declared - seen} but reads none of it"


NO_DEAL = {"red_lines": {"more": {"party": "partner", "label": "imports above 2024", "reason": "test",
                                  "metric": "imports_units", "sense": ">=", "bound": q(200, "%"),
                                  "relative_to": "baseline"}}}


def test_the_alternatives_renderings_read_only_what_they_declare(tmp_path):
    found = execute_alternatives(Context(NegotiationModel(tiny(tmp_path)), Options(count=3, within=0.10)))
    none = execute_alternatives(Context(NegotiationModel(tiny(folder(tmp_path, "none"), NO_DEAL))))
    assert len(found.packages) == 3 and none.status == "infeasible" and not none.packages
    check_reads(alternatives_report, [found, none], tmp_path)


CAP = {"red_lines": {"cap": {"party": "partner", "label": "cars at most 10%", "reason": "test",
                             "metric": "tariff_rate", "index": "car", "sense": "<=", "bound": q(10, "%")}}}


def offer(tmp_path: Path, levers: dict) -> Path:
    path = tmp_path / "offer.yaml"
    path.write_text(yaml.safe_dump({"schema_version": 1, "offer": "o", "title": "test offer",
                                    "fixed_levers": levers}, sort_keys=False), encoding="utf-8")
    return path


def test_the_offer_renderings_read_only_what_they_declare(tmp_path):
    cases = []
    for i, levers in enumerate(({"tariff": {"car": q(20, "%")}}, {"tariff": {"car": q(10, "%")}})):
        inst = tiny(folder(tmp_path, str(i)), CAP)
        ev = execute_evaluation(Context(NegotiationModel(inst), Options(offer=load_offer(offer(folder(tmp_path, str(i)),
                                                                                             levers), inst))))
        cases.append(ev)
    assert cases[0].amendment is not None and cases[1].amendment is None      # broken, then acceptable
    check_reads(offer_report, cases, tmp_path)
    # Offers side by side: the comparison's renderings, on the same two evaluations.
    inst = tiny(folder(tmp_path, "both"), CAP)
    model = NegotiationModel(inst)
    both = side_by_side(model, [execute_evaluation(Context(model, Options(offer=load_offer(offer(
        folder(tmp_path, f"both{i}"), levers), inst)))) for i, levers in enumerate(
        ({"tariff": {"car": q(20, "%")}}, {"tariff": {"car": q(10, "%")}}))])
    check_reads(offers_side_by_side, [both], tmp_path)


def test_an_unbounded_search_names_the_levers_through_its_step(tmp_path):
    """The step after the search fills `message` with the levers without a limit (tiny: an
    unlimited LNG purchase that costs nothing), and only when the search is unbounded."""
    lng = {"goods": {"lng": {"label": "US LNG", "unit": "tonne", "unit_value": q(500, "USD/tonne"),
                             "max_units": "unlimited", "political_cost": q(0, "USD/tonne")}}}
    found = execute_alternatives(Context(NegotiationModel(tiny(tmp_path, lng))))
    assert found.status == "unbounded" and "US LNG (goods.lng.max_units: unlimited)" in found.message
    inst = tiny(folder(tmp_path, "e"), lng)
    ev = execute_evaluation(Context(NegotiationModel(inst), Options(offer=load_offer(
        offer(tmp_path, {"tariff": {"car": q(10, "%")}}), inst))))
    assert ev.status == "unbounded" and ev.completion.status == "unbounded"
    assert "US LNG (goods.lng.max_units: unlimited)" in ev.completion.message


# -- the brief (brief.html, written by run): reads only what it declares, all of it filled by run --

def test_the_briefs_reads_are_filled_by_run():
    from model.reporting import brief
    assert set(brief.READS) <= SECTION_FIELDS - CORE_FIELDS
    assert set(brief.READS) <= {s.fills for s in RUN} | SOLVED


@pytest.mark.parametrize("name, points", [("toyota_2025", 5), ("no_zopa_example", 0), ("july_2025_framework", 5),
                                          ("staged_relief", 5)])
def test_the_brief_reads_only_what_it_declares(name, points):
    from model.reporting import brief
    r = execute(RUN, Context(command_model(load(ROOT / "instances" / f"{name}.yaml")),
                             Options(frontier_points=points, concessions=True)))
    rec = Recorder(r)
    brief.brief_html(rec)
    assert rec.seen - CORE_FIELDS <= set(brief.READS), rec.seen - CORE_FIELDS - set(brief.READS)
    if name == "july_2025_framework":           # a deal with fixed terms: everything but the diagnosis is read
        assert set(brief.READS) - {"diagnosis"} <= rec.seen
