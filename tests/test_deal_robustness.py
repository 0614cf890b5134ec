"""`run`'s robustness: draws of the instance's uncertainty, deal or no deal, who walks away, and
the input that separates them (model/analyses/deal_robustness.py), worked by hand on tiny
instances (tests/tiny.py: cars M0 at $10,000 and 100 trucks at $20,000, elasticity -1, full
pass-through, tariffs 0/10/20% per segment, 20% with no deal).

Home walks away (participation on). The partner's red line caps the car tariff at 10%; its
buyers may take up to 50 home-made cars through the dealers (ceiling 50, each $10,000 of
home exports). Imports at tariff t are M0 / (1 + t), so against no deal (20%) the deal's 10%
adds M0 * 10,000 * (1/1.1 - 1/1.2) = 757.58 M0 to the deficit, and the 50 cars sold take off
500,000. Home gains over no deal iff 757.58 M0 <= 500,000, i.e. M0 <= 660 (the partner gains
either way: more cars sold at a margin). With M0 uniform on [400, 1000], a draw has a deal iff
its M0 <= 660 (a share of 260 / 600 = 43%), and in every other draw dropping home's
participation alone gives a deal while dropping the partner's does not: home walks away.

The partner's red line ends it (participation off). The partner's red line keeps the value of
home's imports at $20 M or more. The most it can be is at a 0% car tariff: M0 * 10,000 +
100 * 20,000, so a deal exists iff M0 >= 1,800. With M0 uniform on [600, 3000] the share is
1,200 / 2,400 = 50%; without the partner's red line every draw has a deal.
"""
from __future__ import annotations

import json

import pytest
from tiny import q, tiny

from model.analyses.deal_robustness import deal_robustness, walks_away
from model.analyses.sweep import Plan, draw_inputs, input_columns, resolver_for, run_robustness, run_sweep
from model.cli import main
from model.data.uncertainty import with_values
from model.optimization.handle import NegotiationModel
from model.optimization.objectives import solve_objective
from model.reporting.first_screen import robustness_lines
from model.reporting.markdown import first_screen
from model.reporting.terminal import run_summary
from model.results import Results
from model.run.pipelines import RUN, Context, Options, execute

CAP = {"cap": {"party": "partner", "label": "Partner: cars pay at most 10%", "reason": "parity",
               "metric": "tariff_rate[car]", "sense": "<=", "bound": q(10, "%")}}
HOME_WALKS = {"settings": {"participation": True}, "segments": {"car": {"partner_ceiling": q(50, "vehicles")}},
              "red_lines": CAP,
              "uncertainty": {
                  "segments.car.imports": {"distribution": "uniform", "low": q(400, "vehicles"),
                                           "high": q(1000, "vehicles")},
                  # moves the partner's payoff the same with and without a deal: separates nothing
                  "segments.truck.partner_margin": {"distribution": "uniform", "low": q(500, "USD/vehicle"),
                                                    "high": q(1500, "USD/vehicle")}}}
PARTNER_LINE = {"red_lines": {"floor": {"party": "partner", "label": "Partner: exports worth $20 M at least",
                                        "reason": "its plants", "metric": "imports_value", "sense": ">=",
                                        "bound": q(20_000_000, "USD")}},
                "uncertainty": {"segments.car.imports": {"distribution": "uniform", "low": q(600, "vehicles"),
                                                         "high": q(3000, "vehicles")}}}
# the same with the instance's own M0 = 600 (a deal) instead of the tiny instance's 1000 (none)
HOME_DEAL = {**HOME_WALKS, "segments": {"car": {"imports": q(600, "vehicles"), "partner_ceiling": q(50, "vehicles")}}}
N, SEED = 40, 3


def _car_imports(inst, n=N, seed=SEED) -> list[float]:
    return [draw_inputs(inst, Plan(samples=n, seed=seed), i)["segments.car.imports"] for i in range(n)]


def _direct(inst, values: dict[str, float]) -> bool:
    """Whether a freshly built model of the draw has a deal (no re-solve involved)."""
    return solve_objective(NegotiationModel(with_values(inst, values)), "min_deficit").has_deal


def test_home_walks_away_where_its_participation_fails(tmp_path):
    inst = tiny(tmp_path, HOME_WALKS)
    m0 = _car_imports(inst)
    expected = [x <= 660 for x in m0]
    assert 5 < sum(expected) < N - 5                     # the seed's draws cross the threshold both ways
    # each draw's classification, against a direct solve of the draw (the truck margin drawn too)
    for i in range(N):
        values = draw_inputs(inst, Plan(samples=N, seed=SEED), i)
        assert _direct(inst, values) == expected[i], values
    rb = run_robustness(NegotiationModel(inst), N, SEED)
    assert (rb.draws, rb.deals, rb.no_deal, rb.other) == (N, sum(expected), N - sum(expected), {})
    assert rb.walks_away == {"home": N - sum(expected)}
    assert rb.by_participation == {"home": N - sum(expected), "partner": 0}
    top = rb.inputs[0]
    assert top.path == "segments.car.imports" and top.label == "cars: imports"
    ordered = sorted(range(N), key=lambda i: m0[i])
    low, high = ordered[:N // 2], ordered[N // 2:]
    assert (top.low_draws, top.low_deals) == (N // 2, sum(expected[i] for i in low))
    assert (top.high_draws, top.high_deals) == (N // 2, sum(expected[i] for i in high))
    assert top.separation == pytest.approx((top.low_deals - top.high_deals) / (N // 2)) and top.separation > 0.5
    # bins of 100 vehicles over [400, 1000]: every draw below 600 has a deal, none above 700
    assert [b.low for b in top.bins] == pytest.approx([400 + 100 * k for k in range(6)])
    assert [b.high for b in top.bins] == pytest.approx([500 + 100 * k for k in range(6)])
    assert sum(b.draws for b in top.bins) == N and sum(b.deals for b in top.bins) == rb.deals
    for b in top.bins:
        inside = [e for x, e in zip(m0, expected) if b.low <= x < b.high]
        assert (b.draws, b.deals) == (len(inside), sum(inside))
    assert all(b.deals == b.draws for b in top.bins[:2]) and all(b.deals == 0 for b in top.bins[3:])
    assert abs(rb.inputs[1].separation) < top.separation


def test_the_partners_red_line_ends_it_and_the_share_is_the_ranges(tmp_path):
    inst = tiny(tmp_path, PARTNER_LINE)
    n = 200
    m0 = _car_imports(inst, n, 0)
    rb = run_robustness(NegotiationModel(inst), n, 0)
    assert rb.deals == sum(x >= 1800 for x in m0)
    assert rb.share == pytest.approx(0.5, abs=0.08)              # (3000 - 1800) / (3000 - 600), sampled
    assert rb.walks_away == {"partner": n - rb.deals} and rb.by_participation == {"home": 0, "partner": 0}
    assert rb.inputs[0].separation < -0.9                       # deals only in the upper half


def test_either_side_giving_way_alone(tmp_path):
    """Home's floor of 20% on cars against the partner's cap of 10%: no deal, and dropping either
    side's red line alone makes one."""
    floor = {"floor": {"party": "home", "label": "Home: cars pay at least 20%", "reason": "r",
                       "metric": "tariff_rate[car]", "sense": ">=", "bound": q(20, "%")}}
    inst = tiny(tmp_path, {"red_lines": {**CAP, **floor}})
    resolver = resolver_for(inst, NegotiationModel(inst))
    assert walks_away(resolver, inst) == ("either", "positions")
    only_home = tiny(tmp_path, {"red_lines": {**floor, "cap": {**CAP["cap"], "party": "home"}}})
    assert walks_away(resolver_for(only_home, NegotiationModel(only_home)), only_home) == ("home", "positions")


def test_run_shows_it_on_the_first_screen_and_saves_it(tmp_path):
    inst = tiny(tmp_path, HOME_DEAL)
    r = execute(RUN, Context(NegotiationModel(inst), Options(robustness=N, seed=SEED)))
    rb = r.robustness
    assert rb is not None and r.has_deal                      # M0 = 600 itself: a deal
    expected = sum(x <= 660 for x in _car_imports(inst))
    lines = robustness_lines(r)
    assert lines[0].startswith(f"**A deal holds in {expected} of {N} draws ({expected / N:.0%})**")
    assert lines[1].startswith(f"**Home walks away** in {N - expected} of the {N - expected} draws without a deal")
    assert "**The input that most separates deal from no deal is cars: imports**" in lines[2]
    assert lines[0] in first_screen(r) and "how robust it is" in run_summary(r, tmp_path)
    # next to the deal: right after the package, before the balances, in every format
    md = first_screen(r)
    assert md.index("- **Partner**") < md.index("**How robust it is.**") < md.index("**The balances**")
    terminal = run_summary(r, tmp_path)
    assert terminal.index("  the deal:") < terminal.index("  how robust it is:") < terminal.index("  balances")
    from model.reporting.html import first_screen_html
    page = first_screen_html(r, {})
    assert page.index('<div class="deal">') < page.index("<h3>How robust it is</h3>") < page.index("<div class=cards>")
    back = Results.from_dict(json.loads(r.to_json()))
    assert back.robustness is not None and back.to_dict()["robustness"] == r.to_dict()["robustness"]
    # The instance's own M0 = 1000 gives no deal: the first screen says so, and how many draws give one.
    none = execute(RUN, Context(NegotiationModel(tiny(tmp_path, HOME_WALKS)), Options(robustness=N, seed=SEED)))
    assert not none.has_deal
    assert (f"**With the instance's own values there is no deal; one exists in {expected} of {N} draws"
            in first_screen(none))


def test_the_same_draws_as_the_sweep(tmp_path):
    inst = tiny(tmp_path, HOME_WALKS)
    rb = run_robustness(NegotiationModel(inst), N, SEED)
    sweep = run_sweep(inst, Plan(samples=N, seed=SEED), progress=False)
    assert rb.deals == sum(1 for row in sweep.rows if row["metrics"] and row["verified"])
    again = deal_robustness(inst, [dict(row, walks_away="home") for row in sweep.rows],
                            input_columns(inst, sweep.plan), SEED)
    assert again.deals == rb.deals and again.inputs[0].path == rb.inputs[0].path


def test_off_switch_no_uncertainty_and_other_objectives_claim_nothing(tmp_path):
    inst = tiny(tmp_path, HOME_WALKS)
    off = execute(RUN, Context(NegotiationModel(inst), Options(robustness=0)))
    assert off.robustness is None and robustness_lines(off) == [] and "draws" not in first_screen(off)
    weighted = execute(RUN, Context(NegotiationModel(inst), Options(objective="welfare", robustness=N)))
    assert weighted.robustness is None
    plain = tiny(tmp_path, {k: v for k, v in HOME_WALKS.items() if k != "uncertainty"})
    none = execute(RUN, Context(NegotiationModel(plain), Options(robustness=N)))
    assert none.robustness is None and "draws" not in first_screen(none)


def test_cli_flags(tmp_path, capsys):
    tiny(tmp_path, HOME_DEAL)
    path = tmp_path / "tiny.yaml"
    assert main(["run", str(path), "--out", str(tmp_path / "a"), "--robustness", "12", "--seed", "5"]) == 0
    first = json.loads((tmp_path / "a" / "results.json").read_text())["robustness"]
    assert first["draws"] == 12 and first["seed"] == 5
    assert "A deal holds in" in capsys.readouterr().out
    assert main(["run", str(path), "--out", str(tmp_path / "b"), "--robustness", "12", "--seed", "5"]) == 0
    assert json.loads((tmp_path / "b" / "results.json").read_text())["robustness"] == first
    capsys.readouterr()
    assert main(["run", str(path), "--out", str(tmp_path / "c"), "--no-robustness"]) == 0
    assert json.loads((tmp_path / "c" / "results.json").read_text())["robustness"] is None
    assert "A deal holds in" not in capsys.readouterr().out
    assert main(["run", str(path), "--out", str(tmp_path / "d"), "--robustness", "-1"]) != 0


@pytest.mark.slow      # the default draws on the first calibration, as run does
def test_readme_and_docs_figures_come_from_run():
    """The robustness figures of README.md, docs/model.md and docs/performance.md are `run`'s on
    the default instance (default draws, seed 0)."""
    from pathlib import Path

    from model.analyses.deal_robustness import DEFAULT_DRAWS
    from model.economics.loading import load
    root = Path(__file__).resolve().parent.parent
    inst = load(root / "instances" / "smart_defaults.yaml")
    r = execute(RUN, Context(NegotiationModel(inst), Options(robustness=DEFAULT_DRAWS, seed=0)))
    rb = r.robustness
    assert rb is not None and DEFAULT_DRAWS == 50 and len(inst.uncertainty) == 7
    assert rb.walks_away == {"home": rb.no_deal} and r.instance.parties["home"] == "United States"
    x = rb.inputs[0]
    assert x.path == "segments.suv.substitution_elasticity" and f"{x.split:.3g}" == "2.07"
    text = run_summary(r, Path("reports/smart_defaults"))
    block = text.split("  how robust it is:\n", 1)[1].split("\n  balances", 1)[0]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "  how robust it is:\n" + block + "\n  balances" in readme
    split = f"{x.low_deals} of the {x.low_draws} draws below {x.split:.3g}, in {x.high_deals} of the {x.high_draws}"
    prose = " ".join(readme.split())
    assert f"`run` solves {DEFAULT_DRAWS} draws over those ranges" in prose and "seven of them" in prose
    assert f"a deal holds in only {rb.deals} of them ({rb.share:.0%}); in all {rb.no_deal} others" in prose
    assert f"(a deal in {split} above)" in prose
    model_md = (root / "docs" / "model.md").read_text(encoding="utf-8")
    flat = " ".join(model_md.split())
    assert f"`run` then solves {DEFAULT_DRAWS} draws" in flat
    assert f"a deal holds in {rb.deals} of {rb.draws} draws, and in all {rb.no_deal} without one" in flat
    assert f"a deal in {split} above" in flat
    from model.analyses.deal_robustness import BINS
    from model.reporting.charts import MAX_PANELS
    from model.reporting.sweep_section import HEADLINE_INPUTS
    assert HEADLINE_INPUTS == 3
    from model.run.pipelines import RUN_FRONTIER_MAX_CHOICES, RUN_FRONTIER_MAX_LEVERS
    assert (RUN_FRONTIER_MAX_CHOICES, RUN_FRONTIER_MAX_LEVERS, BINS, MAX_PANELS) == (100, 1000, 6, 6)
    assert "the model has at most 100 yes/no choices and 1,000 levers" in flat
    sweeps = " ".join((root / "docs" / "sweeps.md").read_text(encoding="utf-8").split())
    assert "(most separating first, up to six), its range cut into six equal parts" in sweeps
    assert "the inputs that separate deal from no deal (up to three)" in sweeps
    assert "`run` gives the same first lines for 50 draws" in sweeps
    perf = " ".join((root / "docs" / "performance.md").read_text(encoding="utf-8").split())
    assert "(100 yes/no choices, 1,000 levers)" in perf
    assert f"`run` solves {DEFAULT_DRAWS} draws" in perf and f"| {DEFAULT_DRAWS} (the default) |" in perf
    assert f"each draw without a deal ({rb.no_deal} of {rb.draws})" in perf


def test_sweep_first_screen_says_the_share_who_walks_away_and_what_separates(tmp_path, capsys):
    """`sweep` on the home-walks-away case: its terminal and report start with the share of draws
    with a deal (M0 <= 660, by hand), home walking away in the rest, the cars' imports separating
    them; verification counts deals; the report keeps only the draws."""
    inst = tiny(tmp_path, HOME_DEAL)
    deals = sum(x <= 660 for x in _car_imports(inst))
    out = tmp_path / "sweep"
    assert main(["sweep", str(tmp_path / "tiny.yaml"), "--monte-carlo", str(N), "--seed", str(SEED),
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[1] == (f"  - A deal holds in {deals} of {N} draws ({deals / N:.0%}) over the instance's uncertainty "
                        f"ranges (seed {SEED}).")
    assert lines[2].startswith(f"  - Home walks away in {N - deals} of the {N - deals} draws without a deal")
    assert "The input that most separates deal from no deal is cars: imports" in text
    assert f"deals verified outside the solver: {deals} of the {deals} found, in {N} draws" in text
    assert "verified: " not in text
    md = (out / "report.md").read_text()
    head, _, rest = md.partition("## The deal with the instance's own values")
    assert "## Across the draws" in head and f"**A deal holds in {deals} of {N} draws" in head
    assert "![The share of draws with a deal along each input's range](deal_share.svg)" in head
    assert f"every deal found was verified outside the solver: {deals} of the {deals} deals passed" in md
    for run_only in ("**The balances**", "What holds the deficit up", "## Levers", "## Outcomes", "bridge.svg"):
        assert run_only not in md, run_only
    assert (out / "deal_share.svg").exists() and not (out / "bridge.svg").exists()
    assert f"{N - deals:,} draws without a deal are not on this axis" in (out / "sweep.svg").read_text()
    summary = json.loads((out / "sweep_summary.json").read_text())
    assert summary["robustness"]["deals"] == deals and summary["found"] == deals
    assert summary["robustness"]["walks_away"] == {"home": N - deals}
    html = (out / "report.html").read_text()
    assert "Across the draws" in html and "What holds the deficit up" not in html
    import csv
    rows = list(csv.DictReader((out / "sweep.csv").open()))
    assert [r["walks_away"] for r in rows] == ["" if x <= 660 else "home" for x in _car_imports(inst)]
    assert {r["walks_away_by"] for r in rows} == {"", "participation"}


def test_no_deal_in_any_draw_is_said_so(tmp_path):
    """Home's floor of 20% against the partner's cap of 10% leaves no deal whatever the cars'
    imports: no draw gives one, and either side giving way alone would."""
    floor = {"floor": {"party": "home", "label": "Home: cars pay at least 20%", "reason": "r",
                       "metric": "tariff_rate[car]", "sense": ">=", "bound": q(20, "%")}}
    inst = tiny(tmp_path, {"red_lines": {**CAP, **floor}, "uncertainty": PARTNER_LINE["uncertainty"]})
    r = execute(RUN, Context(NegotiationModel(inst), Options(robustness=10, seed=0)))
    assert not r.has_deal and r.robustness is not None and r.robustness.walks_away == {"either": 10}
    lines = robustness_lines(r)
    assert lines[0].startswith("**With the instance's own values there is no deal, nor in any of 10 draws**")
    assert lines[1] == ("In 10 of the 10 draws without a deal, either side giving way alone (its red lines and "
                        "participation) would make a deal.")
    assert len(lines) == 2                       # no input separates deal from no deal when there is none


def test_a_grid_sweep_counts_grid_points(tmp_path, capsys):
    """The partner's $20 M floor on imports needs M0 >= 1,800 (worked above): over the grid
    600, 1200, 1800, 2400, 3000 a deal holds at the last three points, and at the first two the
    partner's red line ends it."""
    tiny(tmp_path, PARTNER_LINE)
    assert main(["sweep", str(tmp_path / "tiny.yaml"), "--param", "segments.car.imports=600,1200,1800,2400,3000",
                 "--out", str(tmp_path / "g")]) == 0
    text = " ".join(capsys.readouterr().out.split())       # the instance's own M0 = 1000: no deal
    assert ("- With the instance's own values there is no deal; one exists in 3 of 5 grid points (60%) (each point "
            "re-solved). - Partner's red lines end the deal in 2 of the 2 grid points without a deal: without them a "
            "deal exists.") in text
