"""`run`'s robustness over a horizon: each draw of the instance's uncertainty rebuilds the multi-year
model (run/horizon_draws.py), who walks away is decided on the draw's own model with participation
in present value, and the first screen says so (issue 25 item 7 for issue 27's deals over time).

Worked by hand on the tiny instance (tests/tiny.py: cars M0 at $10,000, elasticity -1, full
pass-through, tariffs 0/10/20%, 20% with no deal) over two years, 2025-2026, with no growth, so
both years have the same data. As in tests/test_deal_robustness.py, the partner's red line caps
the car tariff at 10% in every year and its buyers take up to 50 home-made cars a year through
the dealers. In a year at 10% with the 50 cars home's payoff (minus the deficit) against no deal
is 500,000 - 757.58 M0 (M0 x 10,000 x (1/1.1 - 1/1.2) more imports, 50 x 10,000 more exports);
at 0% it is lower. So home's gain in present value, (500,000 - 757.58 M0)(1 + 1/(1 + r)) at
best, is >= 0 iff M0 <= 660, whatever the discount rate r: a draw has a deal iff its M0 <= 660,
and in every other draw dropping home's participation alone gives a deal (the partner gains
either way): home walks away. The discount rate is drawn too (1% to 9%) and separates nothing.
With participation in every year the threshold is the same (each year is the same year).

The partner's red line (its exports, the value of home's imports, at least $20 M in each year)
ends it where M0 < 1,800 (at most M0 x 10,000 + 100 trucks x 20,000 at 0%).
"""
from __future__ import annotations

import json
from functools import partial

import pytest
from tiny import q, tiny

from model.analyses.deal_robustness import HORIZON_DRAWS
from model.analyses.sweep import Plan, draw_inputs, run_robustness
from model.cli import main
from model.optimization.horizon import HorizonModel
from model.reporting.first_screen import robustness_lines
from model.reporting.terminal import run_summary
from model.results import Results
from model.run.horizon import HORIZON_SKIPPED
from model.run.horizon_draws import solve_draw
from model.run.pipelines import RUN, Context, Options, execute

CAP = {"cap": {"party": "partner", "label": "Partner: cars pay at most 10%", "reason": "parity",
               "metric": "tariff_rate[car]", "sense": "<=", "bound": q(10, "%")}}
RATE = {"horizon.discount_rate": {"distribution": "uniform", "low": q(1, "%"), "high": q(9, "%")}}
M0 = {"segments.car.imports": {"distribution": "uniform", "low": q(400, "vehicles"), "high": q(1000, "vehicles")}}


def horizon(participation="present_value") -> dict:
    return {"horizon": {"first_year": 2025, "last_year": 2026, "discount_rate": q(2, "%"),
                        "participation": participation}}


def home_walks(participation="present_value", m0=1000) -> dict:
    return {"settings": {"participation": True},
            "segments": {"car": {"imports": q(m0, "vehicles"), "partner_ceiling": q(50, "vehicles")}},
            "red_lines": CAP, "uncertainty": {**M0, **RATE}, **horizon(participation)}


PARTNER_LINE = {"red_lines": {"floor": {"party": "partner", "label": "Partner: exports worth $20 M at least",
                                        "reason": "its plants", "metric": "imports_value", "sense": ">=",
                                        "bound": q(20_000_000, "USD")}},
                "uncertainty": {"segments.car.imports": {"distribution": "uniform", "low": q(600, "vehicles"),
                                                         "high": q(3000, "vehicles")}},
                **horizon()}
N, SEED = 16, 3


def _drawn(inst, path, n=N, seed=SEED) -> list[float]:
    return [draw_inputs(inst, Plan(samples=n, seed=seed), i)[path] for i in range(n)]


def _robustness(inst, n=N, seed=SEED):
    return run_robustness(HorizonModel(inst), n, seed, solve=partial(solve_draw, sides=True), inst=inst)


@pytest.mark.parametrize("participation", ["present_value", "every_year"])
def test_home_walks_away_where_its_gain_in_present_value_fails(tmp_path, participation):
    inst = tiny(tmp_path, home_walks(participation))
    m0 = _drawn(inst, "segments.car.imports")
    expected = [x <= 660 for x in m0]
    assert 3 < sum(expected) < N - 3                      # the seed's draws cross the threshold both ways
    rb = _robustness(inst)
    assert rb.method == "rebuild"
    assert (rb.draws, rb.deals, rb.no_deal, rb.other) == (N, sum(expected), N - sum(expected), {})
    assert rb.walks_away == {"home": N - sum(expected)}
    assert rb.by_participation == {"home": N - sum(expected), "partner": 0}
    top, rate = rb.inputs[0], rb.inputs[1]
    assert top.path == "segments.car.imports" and top.separation > 0.5
    ordered = sorted(range(N), key=lambda i: m0[i])
    assert top.low_deals == sum(expected[i] for i in ordered[:N // 2])
    assert rate.path == "horizon.discount_rate" and abs(rate.separation) < top.separation


def test_a_partners_red_line_in_every_year_ends_it(tmp_path):
    inst = tiny(tmp_path, PARTNER_LINE)
    m0 = _drawn(inst, "segments.car.imports", 20, 0)
    rb = _robustness(inst, 20, 0)
    assert rb.deals == sum(x >= 1800 for x in m0) and 0 < rb.deals < 20
    assert rb.walks_away == {"partner": 20 - rb.deals} and rb.by_participation == {"home": 0, "partner": 0}
    top, ordered = rb.inputs[0], sorted(m0)
    assert (top.low_deals, top.high_deals) == (sum(x >= 1800 for x in ordered[:10]), sum(x >= 1800 for x in ordered[10:]))
    assert top.separation < -0.5                          # deals mostly in the upper half


def test_run_shows_it_on_the_first_screen(tmp_path):
    inst = tiny(tmp_path, home_walks(m0=600))             # M0 = 600 itself: a deal
    r = execute(RUN, Context(HorizonModel(inst), Options(robustness=N, seed=SEED)))
    assert r.has_deal and r.over_time is not None and r.robustness is not None
    expected = sum(x <= 660 for x in _drawn(inst, "segments.car.imports"))
    lines = robustness_lines(r)
    assert lines[0] == (f"**A deal holds in {expected} of {N} draws ({expected / N:.0%})** over the instance's "
                        f"uncertainty ranges (each draw's model over 2025-2026 rebuilt and solved; seed {SEED}).")
    assert lines[1].startswith(f"**Home walks away** in {N - expected} of the {N - expected} draws without a deal: "
                               "every deal the red lines allow leaves it worse off than no deal in present value over "
                               "2025-2026 (its participation fails)")
    assert "**The input that most separates deal from no deal is cars: imports**" in lines[2]
    terminal = run_summary(r, tmp_path)
    assert terminal.index("  the deal:") < terminal.index("  how robust it is:") < terminal.index("  balances")
    assert "robustness" not in HORIZON_SKIPPED and not any("robustness" in w for w in r.warnings)


def _run(tmp_path, inst_file, *flags) -> Results:
    out = tmp_path / ("out" + "".join(flags).replace("-", "_"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("builtins.print", lambda *a, **k: None)
        assert main(["run", str(inst_file), "--out", str(out), *flags]) == 0
    return Results.from_dict(json.loads((out / "results.json").read_text()))


def test_the_count_is_a_flag_and_no_robustness_turns_it_off(tmp_path):
    inst = tiny(tmp_path, home_walks(m0=600))
    assert _run(tmp_path, inst.file).robustness.draws == HORIZON_DRAWS < 50     # a small default: each draw rebuilds
    rb = _run(tmp_path, inst.file, "--robustness", "5", "--seed", "2").robustness
    assert (rb.draws, rb.seed, rb.years) == (5, 2, "2025-2026")
    assert _run(tmp_path, inst.file, "--no-robustness").robustness is None


def test_the_docs_state_the_horizons_default_count_and_model_sizes():
    """README, docs/model.md and docs/performance.md give the horizon's default count; performance.md the
    ten-year models' sizes that benchmarks/bench_horizon.py prints."""
    from pathlib import Path

    from model.economics.loading import load
    root = Path(__file__).resolve().parent.parent
    flat = {name: " ".join((root / name).read_text(encoding="utf-8").split())
            for name in ("README.md", "docs/model.md", "docs/performance.md")}
    assert f"`run` solves {HORIZON_DRAWS} draws of the instance's `uncertainty:`" in flat["README.md"]
    assert f"{HORIZON_DRAWS} for an instance with a horizon" in flat["README.md"]
    assert f"draws {HORIZON_DRAWS} times by default (`HORIZON_DRAWS`" in flat["docs/model.md"]
    assert f"`HORIZON_DRAWS` = {HORIZON_DRAWS}" in flat["docs/performance.md"]
    for name in ("toyota_2025_over_time", "july_2025_over_time"):
        model = HorizonModel(load(root / "instances" / f"{name}.yaml"))
        row = f"| `{name}`, ten years | {model.num_columns:,} | {len(model.row_lower):,} |"
        assert row in flat["docs/performance.md"], row


@pytest.mark.slow
def test_performance_quotes_the_july_variants_draws():
    """docs/performance.md explains the July variant's slower draws: most end without a deal."""
    from pathlib import Path

    from model.economics.loading import load
    root = Path(__file__).resolve().parent.parent
    inst = load(root / "instances" / "july_2025_over_time.yaml")
    rb = _robustness(inst, HORIZON_DRAWS, 0)
    perf = " ".join((root / "docs" / "performance.md").read_text(encoding="utf-8").split())
    assert f"({rb.no_deal} of {rb.draws} without a deal:" in perf


def test_a_horizon_sweep_also_says_who_walks_away(tmp_path):
    """`sweep --monte-carlo` on a horizon instance: its draws rebuild the model too, and who walks away
    is decided on each draw's own model (before: 'not tested')."""
    inst = tiny(tmp_path, home_walks())
    expected = sum(x <= 660 for x in _drawn(inst, "segments.car.imports"))
    out = tmp_path / "sweep"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("builtins.print", lambda *a, **k: None)
        assert main(["sweep", str(inst.file), "--monte-carlo", str(N), "--seed", str(SEED), "--out", str(out)]) == 0
    rb = Results.from_dict(json.loads((out / "results.json").read_text())).sweep.robustness
    assert (rb.deals, rb.no_deal) == (expected, N - expected)
    assert rb.walks_away == {"home": N - expected} and rb.by_participation["home"] == N - expected
