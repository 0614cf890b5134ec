"""The instance's assumptions ranked by their influence on the deal (issue 25 item 6): each
assumption source moved down and up on the re-solve path, worked by hand on tiny instances whose
other numbers are published (so that only the sources named here move)."""
from __future__ import annotations

import pytest
from tiny import q, tiny

from model.analyses.assumption_rank import DEFAULT_SWING, applicable, plan, rank_assumptions
from model.analyses.deal_terms import deal_of
from model.analyses.sweep import resolver_for
from model.optimization.handle import NegotiationModel
from model.optimization.resolve import NOT_RESOLVED, DrawResult
from model.reporting.assumption_rank_section import SHOWN
from model.reporting.assumption_rank_section import assumption_rank as section
from model.reporting.provenance import provenance_section
from model.run import RUN, Context, Options, execute

CAR = {0: 1e7, 10: 1e7 / 1.1, 20: 1e7 / 1.2}      # cars' import value at each tariff (elasticity -1, full pass-through)
TRUCKS = 2e6 / 1.2                                  # trucks at 20%, the top of the menu, in every deal here


def red_line(party: str, label: str, segment: str, sense: str, percent: float, source: str) -> dict:
    return {"party": party, "label": label, "reason": "test", "metric": "tariff_rate", "index": segment,
            "sense": sense, "bound": q(percent, "%", source)}


def case(tmp_path, truck_floor: float = 5.0, extra: dict | None = None):
    """Every number published but two red lines, each resting on an assumption of its own: the
    partner caps cars at 10% (it binds: home wants 20%) and home asks trucks at least `truck_floor`%."""
    spec = {"sources": {"test": {"assumption": None, "citation": "hand-checkable test figures", "year": 2024},
                        "a_cap": {"assumption": "the partner's cap, chosen for the test"},
                        "a_truck_floor": {"assumption": "home's floor, chosen for the test"}},
            "red_lines": {"cap": red_line("partner", "cars at most 10%", "car", "<=", 10, "a_cap"),
                          "truck_floor": red_line("home", "trucks at least", "truck", ">=", truck_floor,
                                                  "a_truck_floor")}}
    from tiny import merge
    return tiny(tmp_path, merge(spec, extra or {}))


def ranked(inst):
    model = NegotiationModel(inst)
    return rank_assumptions(model, deal_of(model.solve()))


def test_the_source_that_moves_the_deficit_ranks_above_the_one_that_cannot_bind(tmp_path):
    """The cap moved 25% down (7.5%) leaves cars only 0% on the 0/10/20% menu: the deficit rises
    from CAR[10] + TRUCKS to CAR[0] + TRUCKS; moved up (12.5%) the deal keeps 10%. Its swing is
    CAR[0] - CAR[10] = 909,090.91. The trucks' floor (3.75% to 6.25%) never binds with trucks at 20%:
    swing 0."""
    inst = case(tmp_path)
    rank = ranked(inst)
    assert [s.source for s in rank.ranked] == ["a_cap", "a_truck_floor"]
    cap, floor = rank.ranked
    assert rank.base == pytest.approx(CAR[10] + TRUCKS)
    assert cap.low.deal and cap.low.objective == pytest.approx(CAR[0] + TRUCKS)
    assert cap.high.deal and cap.high.objective == pytest.approx(CAR[10] + TRUCKS)
    assert cap.swing == pytest.approx(CAR[0] - CAR[10]) and cap.lost == 0
    (moved,) = cap.inputs
    assert (moved.path, moved.unit, moved.how) == ("red_lines.cap.bound", "%", "default")
    assert (moved.value, moved.low, moved.high) == pytest.approx((10, 10 * (1 - DEFAULT_SWING), 10 * (1 + DEFAULT_SWING)))
    assert floor.swing == pytest.approx(0.0, abs=1e-3) and floor.lost == 0
    assert floor.low.objective == pytest.approx(CAR[10] + TRUCKS) and floor.high.objective == pytest.approx(CAR[10] + TRUCKS)
    # Every other number is published: 2 of the instance's inputs are assumptions, on 2 sources.
    assert (rank.assumptions, rank.sources, rank.not_moved) == (2, 2, [])
    assert rank.inputs == len(inst.inputs) > 2


def test_a_source_that_loses_the_deal_ranks_above_any_swing(tmp_path):
    """Home's floor on trucks at 18% moved up 25% is 22.5%, above the menu's 20%: no deal at that
    end, and it is home's positions that end it (without the partner's cap there is still none;
    without home's floor there is one). It ranks above the cap's $909 k swing."""
    rank = ranked(case(tmp_path, truck_floor=18))
    assert [s.source for s in rank.ranked] == ["a_truck_floor", "a_cap"]
    floor = rank.ranked[0]
    assert floor.lost == 1 and floor.low.deal and not floor.high.deal
    assert floor.high.status == "infeasible"
    assert (floor.high.walks_away, floor.high.walks_away_by) == ("home", "positions")
    assert floor.inputs[0].high == pytest.approx(22.5)
    assert rank.ranked[1].swing == pytest.approx(CAR[0] - CAR[10])


def test_an_uncertainty_range_sets_the_ends(tmp_path):
    """With `uncertainty:` giving the cap 9% to 19%, its ends are those: at 9% cars pay 0%, at 19% they
    pay 10% still (the menu has no 15%); the range's own ends rest on a source of their own, which
    moves nothing and is counted as not moved."""
    extra = {"sources": {"u_cap": {"assumption": "the range of the cap"}},
             "uncertainty": {"red_lines.cap.bound": {"distribution": "uniform", "low": q(9, "%", "u_cap"),
                                                     "high": q(19, "%", "u_cap")}}}
    rank = ranked(case(tmp_path, extra=extra))
    cap = next(s for s in rank.ranked if s.source == "a_cap")
    (moved,) = cap.inputs
    assert (moved.low, moved.high, moved.how) == (pytest.approx(9), pytest.approx(19), "range")
    assert cap.low.objective == pytest.approx(CAR[0] + TRUCKS)
    assert cap.high.objective == pytest.approx(CAR[10] + TRUCKS)
    (skipped,) = rank.not_moved
    assert (skipped.source, skipped.inputs) == ("u_cap", 2)
    assert "ends of `uncertainty:` ranges" in skipped.reason
    assert rank.sources == 3


def test_a_source_with_no_re_solvable_input_is_skipped_and_counted(tmp_path):
    """The tariff menu's step cannot change on the built model (the options would differ), and a
    value of zero has no relative swing: both sources are counted as not moved, with why."""
    extra = {"sources": {"a_step": {"assumption": "the menu's step"}, "a_zero": {"assumption": "no exports"}},
             "tariff_menus": {"cars": {"flat": {"step": q(10, "%", "a_step")}}},
             "segments": {"car": {"exports": q(0, "vehicles", "a_zero")}}}
    inst = case(tmp_path, extra=extra)
    moves, left, skipped = plan(inst)
    assert sorted(moves) == ["a_cap", "a_truck_floor"]
    why = {s.source: s for s in skipped}
    assert set(why) == {"a_step", "a_zero"}
    assert "inputs a re-solve cannot change" in why["a_step"].reason and why["a_step"].inputs == 1
    assert "inputs of zero" in why["a_zero"].reason and why["a_zero"].inputs == 1
    rank = ranked(inst)
    assert rank.sources == 4 and len(rank.ranked) == 2 and len(rank.not_moved) == 2
    text = section(run(inst))
    assert text.endswith("**Not moved: 2 of the 4 assumption sources** (2 inputs):\n\n"
                         "- `a_zero`: inputs of zero, which a swing of 25% of the value leaves at zero.\n"
                         "- `a_step`: inputs a re-solve cannot change (tariff menu steps, bound steps, fixed levers, "
                         "...).")


class Unresolvable:
    """A resolver that cannot take a swing of `path` (as when it would change the built model)."""

    def __init__(self, real, path: str):
        self.real, self.path, self.method, self.reason = real, path, real.method, real.reason

    def solve(self, inst, rebuild: bool = True):
        assert rebuild is False, "the ranking never rebuilds the model"
        moved = next(r for r in inst.red_lines if r.name == "cap").bound
        if abs(moved - 0.10) > 1e-12:
            return DrawResult(NOT_RESOLVED, "rows appear or disappear", method="rebuild")
        return self.real.solve(inst, rebuild)

    def deal_without(self, inst, free):
        return self.real.deal_without(inst, free)


def test_a_swing_the_built_model_cannot_take_is_skipped_and_counted_not_rebuilt(tmp_path):
    inst = case(tmp_path)
    model = NegotiationModel(inst)
    deal = deal_of(model.solve())
    rank = rank_assumptions(model, deal, Unresolvable(resolver_for(inst, model), "red_lines.cap.bound"))
    assert [s.source for s in rank.ranked] == ["a_truck_floor"]
    (skipped,) = rank.not_moved
    assert skipped.source == "a_cap" and "rebuild" in skipped.reason and "rows appear" in skipped.reason


def test_applicable_says_why_not(tmp_path):
    inst = case(tmp_path)
    assert applicable(inst, "min_deficit", 0.01) == ""
    assert "min_deficit objective, not 'weighted'" in applicable(inst, "weighted", 0.01)
    assert "more than the 15 s a run allows" in applicable(inst, "min_deficit", 10.0)


def run(inst, rank: bool = True):
    return execute(RUN, Context(NegotiationModel(inst), Options(assumption_rank=rank, concessions=False)))


def test_the_report_ranks_the_assumptions_and_the_provenance_points_to_it(tmp_path):
    r = run(case(tmp_path, truck_floor=18))
    text = section(r)
    n = len(r.inputs)
    assert text.startswith("## Which assumptions decide the deal\n\n"
                           f"**2 of the {n} inputs ({2 / n:.0%}) are assumptions**, resting on 2 sources.")
    assert "The deal's bilateral deficit in the negotiated goods is $10.8 M." in text
    assert ("| 1 | `a_truck_floor` | `red_lines.truck_floor.bound` 18%, 13.5% to "
            "22.5% | $10.8 M | **no deal** (Home's red lines end it) | **deal lost**; $0 at the other end |") in text
    assert ("| 2 | `a_cap` | `red_lines.cap.bound` 10%, 7.5% to 12.5% | "
            "$11.7 M | $10.8 M | $909.1 k |") in text
    assert "The next section, *Which assumptions decide the deal*, ranks the 2 assumption sources" in \
        provenance_section(r)
    assert "chosen for the test" not in text and "chosen for the test" in provenance_section(r)   # each reason once


def test_the_flag_turns_it_off_and_a_skipped_ranking_says_why(tmp_path):
    off = run(case(tmp_path), rank=False)
    assert off.assumption_rank is None and section(off) == "" and "next section" not in provenance_section(off)
    (tmp_path / "on").mkdir()
    on = run(case(tmp_path / "on"))
    assert on.assumption_rank is not None and "assumption_rank" in on.timings
    on.assumption_rank.skipped = "a reason"
    assert section(on).endswith("are assumptions**, resting on 2 sources. Not ranked in this run: a reason.")


def test_the_default_swing_stays_within_the_fields_range(monkeypatch):
    """A share of 90% moved 25% up would be 112.5%: it stops at 100% (a closed bound); below an open
    bound the end is half-way from the value to the bound; an input with a range takes the range."""
    from model.analyses import assumption_rank as ar
    from model.data.fields import Range
    assert ar._ends(0.9, "segments.car.pass_through", {}) == (pytest.approx(0.675), 1.0, "default")
    assert ar._ends(-1.5, "segments.car.elasticity", {}) == (pytest.approx(-1.875), pytest.approx(-1.125), "default")
    monkeypatch.setattr(ar, "allowed", lambda path: Range(low=0.9, high=1.1, low_open=True, high_open=True))
    assert ar._ends(1.0, "any.field.x", {}) == (pytest.approx(0.95), pytest.approx(1.05), "default")
    assert ar._ends(1.0, "any.field.x", {"any.field.x": (0.5, 2.0)}) == (0.5, 2.0, "range")


def test_the_resolver_does_not_rebuild_when_told_not_to(tmp_path, monkeypatch):
    """`Resolver.solve(inst, rebuild=False)` returns NOT_RESOLVED with the reason where it would
    rebuild: the built model cannot take the draw, or the resolver rebuilds every draw."""
    inst = case(tmp_path)
    resolver = resolver_for(inst, NegotiationModel(inst))
    assert resolver.solve(inst, rebuild=False).status == "optimal"
    forms = resolver._forms
    monkeypatch.setattr(resolver, "_forms", lambda *a: (*forms(*a)[:2], ["red_line[cap]"]))
    broken = resolver.solve(inst, rebuild=False)
    assert (broken.status, broken.method) == (NOT_RESOLVED, "rebuild") and "red_line[cap]" in broken.message
    assert resolver.solve(inst).status == "optimal"          # rebuilt (the default)
    monkeypatch.setattr(resolver, "method", "rebuild")
    monkeypatch.setattr(resolver, "reason", "a test's reason")
    assert (resolver.solve(inst, rebuild=False).status, resolver.solve(inst, rebuild=False).message) == \
        (NOT_RESOLVED, "a test's reason")


def test_a_source_that_moves_nothing_is_named_not_tabled_and_the_ranking_reads_back(tmp_path):
    """With the trucks' floor at 5% (it cannot bind) the table has the cap alone and a line names the
    floor; results.json reads back to the same ranking (the compare cache)."""
    from model.results import Results
    r = run(case(tmp_path))
    text = section(r)
    assert "| 1 | `a_cap`" in text and "| 2 |" not in text
    assert text.endswith("**1 source moves nothing in this deal at either end**: `a_truck_floor`.")
    back = Results.from_dict(r.to_dict())
    assert back.assumption_rank is not None and back.to_dict()["assumption_rank"] == r.to_dict()["assumption_rank"]
    assert back.assumption_rank.ranked[0].low.objective == pytest.approx(CAR[0] + TRUCKS)


@pytest.mark.slow      # whole shipped instances, each swing also rebuilt
@pytest.mark.parametrize("name", ["korus_2018_caps", "july_2025_framework"])
def test_shipped_instances_ranking_agrees_with_a_rebuilt_model(name):
    """End to end on shipped instances (not the default, which is being re-calibrated): every
    assumption source is ranked or counted as not moved; the order is lost deals first, then the
    swing; and each end of the three top sources is what a model built from scratch for that
    instance finds (the re-solve path is not trusted on its own word)."""
    from pathlib import Path

    from model.data.uncertainty import unit_factor, with_values
    from model.economics.loading import load
    from model.economics.metrics import evaluate
    inst = load(Path(__file__).resolve().parent.parent / "instances" / f"{name}.yaml")
    rank = ranked(inst)
    assumption_sources = {i.source for i in inst.inputs if inst.sources[i.source].kind == "assumption"}
    assert {s.source for s in rank.ranked} | {s.source for s in rank.not_moved} == assumption_sources
    assert rank.sources == len(assumption_sources) and not rank.skipped
    keys = [(-s.lost, -s.swing) for s in rank.ranked]
    assert keys == sorted(keys)
    for s in rank.ranked[:3]:
        for side in ("low", "high"):
            variant = with_values(inst, {i.path: getattr(i, side) * unit_factor(i.unit) for i in s.inputs})
            model = NegotiationModel(variant)
            fresh = model.solve()
            end = getattr(s, side)
            assert end.deal == fresh.has_deal, (s.source, side)
            if end.deal:
                metrics = evaluate(variant, deal_of(fresh), model.table)
                assert end.objective == pytest.approx(metrics[inst.settings.objective_metric], rel=1e-7)


def test_the_guides_say_what_the_code_does():
    """docs/model.md and README.md state the default swing, its worked example, the budget and the
    number of sources tabled: each from the code."""
    from pathlib import Path

    from model.analyses import assumption_rank as ar
    root = Path(__file__).resolve().parent.parent
    model = " ".join((root / "docs" / "model.md").read_text(encoding="utf-8").split())
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    swing = f"{ar.DEFAULT_SWING:.0%}"
    lo, hi, _ = ar._ends(0.9, "segments.car.pass_through", {})
    assert f"otherwise {swing} below and above its value" in model
    assert f"(a share of 90% moves to {lo:.1%} and {hi:.0%})" in model
    assert f"when two re-solves per source fit in {ar.BUDGET:g} s" in model
    assert {10: "ten"}[SHOWN] + " sources that move the deal most are tabled" in model
    assert "`--no-assumption-rank` turns it off" in model
    assert f"(its `uncertainty:` range, or {swing} of each value)" in readme and "[--no-assumption-rank]" in readme


def test_an_instance_without_assumptions_has_nothing_to_rank(tmp_path):
    published = {"sources": {"test": {"assumption": None, "citation": "hand-checkable test figures", "year": 2024}}}
    r = run(tiny(tmp_path, published))
    assert r.assumption_rank is not None and r.assumption_rank.sources == 0 and not r.assumption_rank.ranked
    assert section(r) == ("## Which assumptions decide the deal\n\nNone of the "
                          f"{len(r.inputs)} inputs is an assumption: every number cites a published source.")


def test_another_objective_is_said_not_ranked(tmp_path):
    """The re-solve path takes the min_deficit objective: under `--objective welfare` the section
    says why there is no ranking instead of rebuilding the model for each swing."""
    r = execute(RUN, Context(NegotiationModel(case(tmp_path)), Options(objective="welfare", assumption_rank=True,
                                                                       concessions=False)))
    assert r.status == "optimal" and r.assumption_rank is not None and not r.assumption_rank.ranked
    assert section(r).endswith("Not ranked in this run: the ranking re-solves the deal on the built model, which it "
                               "does for the min_deficit objective, not 'welfare'.")


def test_the_chart_draws_each_moving_source_at_both_ends(tmp_path, monkeypatch):
    """report_charts adds assumptions.svg when a source moves the deal: the floor's high end (no deal)
    a hatched bar from the deal's deficit to the right edge, the cap's low end a bar to CAR[0] + TRUCKS
    (in USD bn); labels in the sources' own words; the section links the file."""
    from model.reporting import charts
    from model.reporting.assumption_rank_section import brief
    figures = []
    real = charts.to_svg
    monkeypatch.setattr(charts, "to_svg", lambda fig: figures.append(fig) or real(fig))
    r = run(case(tmp_path, truck_floor=18))
    drawn = charts.report_charts(r)
    assert "assumptions" in drawn and "no deal at its high end" in drawn["assumptions"]
    ax = figures[-1].axes[0]
    lo, hi = ax.get_xlim()
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1
    assert hatched[0].get_x() == pytest.approx((CAR[10] + TRUCKS) / 1e9)
    assert hatched[0].get_x() + hatched[0].get_width() == pytest.approx(hi)
    solid = sorted(p.get_x() + p.get_width() for p in ax.patches if not p.get_hatch() and p.get_width())
    assert solid == [pytest.approx((CAR[0] + TRUCKS) / 1e9)]
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == ["home's floor, chosen for the test (1 input)", "the partner's cap, chosen for the test (1 input)"]
    assert "![Which assumptions move the deal: each source alone at its low and high end](assumptions.svg)" in section(r)
    (tmp_path / "idle").mkdir()
    idle = run(case(tmp_path / "idle", extra={"red_lines": {"cap": {"bound": q(30, "%", "a_cap")}}}))
    assert "assumptions" not in charts.report_charts(idle) and "assumptions.svg" not in section(idle)
    assert brief("split of X (Jeep SUVs, Cadillac); totals match") == "split of X (Jeep SUVs, Cadillac)"
    assert brief("split of X (Jeep SUVs; Cadillac); totals match") == "split of X ..."
    assert brief("a b c d e f", 6) == "a b c ..."


class Failing(Unresolvable):
    """A resolver whose economics fail when the cap moves (a number they cannot take)."""

    def solve(self, inst, rebuild: bool = True):
        if abs(next(r for r in inst.red_lines if r.name == "cap").bound - 0.10) > 1e-12:
            raise ValueError("a test's failure")
        return self.real.solve(inst, rebuild)


def test_a_source_the_economics_cannot_take_is_counted_not_a_crash(tmp_path):
    inst = case(tmp_path)
    model = NegotiationModel(inst)
    rank = rank_assumptions(model, deal_of(model.solve()), Failing(resolver_for(inst, model), "red_lines.cap.bound"))
    assert [s.source for s in rank.ranked] == ["a_truck_floor"]
    (skipped,) = rank.not_moved
    assert skipped.source == "a_cap" and skipped.reason == "the economics fail at its low end (ValueError: a test's failure)"


def test_the_command_line_ranks_by_default_and_the_flag_turns_it_off(tmp_path):
    import json

    from tiny import merge, write

    from model.cli import main
    path = write(tmp_path, merge({"sources": {"a_cap": {"assumption": "the cap"}}},
                                 {"red_lines": {"cap": red_line("partner", "cars at most 10%", "car", "<=", 10, "a_cap")}}))
    assert main(["run", str(path), "--out", str(tmp_path / "on")]) == 0
    assert main(["run", str(path), "--out", str(tmp_path / "off"), "--no-assumption-rank"]) == 0
    on = json.loads((tmp_path / "on" / "results.json").read_text())["assumption_rank"]
    assert {s["source"] for s in on["ranked"]} == {"a_cap", "test"} and (tmp_path / "on" / "assumptions.svg").exists()
    assert json.loads((tmp_path / "off" / "results.json").read_text())["assumption_rank"] is None
    assert not (tmp_path / "off" / "assumptions.svg").exists()
    assert "Which assumptions decide the deal" in (tmp_path / "on" / "report.md").read_text()
