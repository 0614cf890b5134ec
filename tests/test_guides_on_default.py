"""docs/negotiating.md and docs/sweeps.md take their worked examples from the default instance
(instances/toyota_2025.yaml, the sourced calibration): every figure they state for it is the
command's output, recomputed here (issue 25, item 8). The examples that need six car segments
stay on instances/smart_defaults.yaml and are checked on it."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from model.analyses.offers import evaluate_offer, offer_robustness
from model.cli import main
from model.data.offers import load_offer
from model.economics.loading import load
from model.formatting import money
from model.optimization.handle import NegotiationModel
from model.run import solve_instance

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "instances" / "toyota_2025.yaml"
JULY = ROOT / "instances" / "offers" / "july_2025_terms_sourced.yaml"


def _flat(path: Path) -> str:
    """A doc's text with every run of white space one space (the prose wraps anywhere)."""
    return " ".join(path.read_text(encoding="utf-8").split())


@pytest.fixture(scope="module")
def guide() -> str:
    return _flat(ROOT / "docs" / "negotiating.md")


@pytest.fixture(scope="module")
def sweeps() -> str:
    return _flat(ROOT / "docs" / "sweeps.md")


@pytest.fixture(scope="module")
def default_run():
    return solve_instance(load(DEFAULT))


def test_the_guide_says_its_figures_are_the_defaults(guide):
    assert "Every figure below comes from the default instance, `instances/toyota_2025.yaml`" in guide
    assert "python solve.py alternatives instances/toyota_2025.yaml" in guide
    assert ("python solve.py evaluate instances/toyota_2025.yaml --offer "
            "instances/offers/july_2025_terms_sourced.yaml") in guide
    assert "Every figure below comes from the first calibration" not in guide


@pytest.mark.slow      # a whole command on the default instance
def test_the_guides_concession_values_are_runs(default_run, guide):
    """The selection of concession values in the guide is `run`'s on the default, row by row."""
    cv = default_run.concession_values
    assert cv is not None and not cv.skipped
    rows = {r.lever: r for r in cv.rows}
    assert len(rows) == 13 and all(r.status == "ok" for r in rows.values())
    assert "On the default the 13 levers (2 tariff lines, 1 NTB relief, 2 dealer commitments, " \
           "5 production shifts, 3 purchases) are all priced." in guide
    families = [r.lever.split(".")[0] for r in rows.values()]
    assert [families.count(f) for f in ("tariff", "ntb", "commitment", "shift", "purchase")] == [2, 1, 2, 5, 3]

    def said(lever: str, step: str) -> str:
        r = rows[lever]
        return f"| {step} | {money(r.home_value, True)} | {money(r.partner_value, True)} |"

    cars, parts = rows["tariff.cars"], rows["tariff.parts"]
    assert (cars.without_setting, cars.with_setting) == ("flat 25.0%", "flat 22.5%")
    assert (parts.without_setting, parts.with_setting) == ("flat 27.5%", "flat 25.0%")
    assert (cars.trade, parts.trade) == ("distributive", "costly")
    assert -parts.home_value > 3 * parts.partner_value > 0          # "more than three times what Japan gains"
    assert said("tariff.cars", "one more cut: 25% -> 22.5%") in guide
    assert said("tariff.parts", "one more cut: 27.5% -> 25%") in guide
    assert said("ntb.us_safety_standards", "granting it (granted in the deal)") in guide
    assert said("commitment.us_brand_importers.cars", "the last 1,000 of 13,040") in guide
    assert said("commitment.toyota_dealers.cars", "the last 1,000 of 20,000") in guide
    assert said("shift.toyota.cars", "the last 1,000 of 130,000") in guide
    assert said("purchase.us_rice", "the last 1,000 t of 424,000 t") in guide
    assert said("purchase.us_farm_goods", "the last 1,000 t of 18.82 M t") in guide
    assert said("purchase.boeing_aircraft", "0.01 more (from 0)") in guide
    for lever in ("commitment.us_brand_importers.cars", "commitment.toyota_dealers.cars", "shift.toyota.cars",
                  "purchase.us_rice", "purchase.us_farm_goods"):
        assert rows[lever].direction == "last" and rows[lever].size == pytest.approx(1000), lever
    # The five makers' last 1,000 cars are worth the same to each side, as the prose says.
    shifts = [rows[f"shift.{m}.cars"] for m in ("toyota", "honda", "nissan", "subaru", "mazda")]
    assert {(money(r.home_value, True), money(r.partner_value, True), r.trade) for r in shifts} == \
        {(money(shifts[0].home_value, True), money(shifts[0].partner_value, True), "win-win")}
    assert (f"alike) are worth {money(shifts[0].home_value)} to the US and {money(shifts[0].partner_value)} "
            f"to Japan") in guide
    assert (f"(it costs the US {money(-cars.home_value)} and is worth {money(cars.partner_value)} to Japan)") in guide
    standards = rows["ntb.us_safety_standards"]
    assert (f"accepting US standards is worth {money(standards.home_value)} to the US and costs Japan "
            f"{money(-standards.partner_value)}") in guide
    importers, toyota = rows["commitment.us_brand_importers.cars"], rows["commitment.toyota_dealers.cars"]
    assert (money(-toyota.deficit_change), money(-importers.deficit_change)) == ("$40.0 M", "$60.0 M")
    assert all(abs(-r.partner_value / 1e6 - 147) < 1 for r in (importers, toyota))     # "about $147 M"
    assert "lowers the deficit by $40 M to $60 M and costs Japan about $147 M" in guide
    rice, grains = rows["purchase.us_rice"], rows["purchase.us_farm_goods"]
    assert (f"the last 1,000 t of rice is worth {money(rice.home_value)} to the US, the last 1,000 t of grains "
            f"and soy {money(grains.home_value)}") in guide
    assert money(rows["purchase.boeing_aircraft"].home_value) == "$0"


@pytest.mark.slow      # a whole command on the default instance
def test_the_guides_red_line_costs_are_runs(default_run, guide):
    v = default_run.red_line_costs
    assert v is not None and v.without_all is not None
    each = {c.entry: c for c in v.each}
    cap = each["japan_car_tariff_cap"]
    assert (f"without any red line the deficit would be **{money(v.without_all.deficit)}** "
            f"({money(-v.without_all.deficit_change)} below the deal)") in guide
    # The cap alone holds up all of it, and sets the car tariff only.
    assert cap.deficit_change == pytest.approx(v.without_all.deficit_change, rel=1e-6)
    assert [(c.lever, c.before, c.to) for c in cap.terms] == [("tariff.cars", "flat 25.0%", "flat 27.5%")]
    assert (f"alone holds up all of it: without it the US payoff rises by {money(cap.payoff_change['home'])} "
            f"and Japan's falls by {money(-cap.payoff_change['partner'])}, with cars back at the no-deal 27.5%") in guide
    for entry in ("us_car_tariff_floor", "us_production", "japan_rice"):
        assert not each[entry].terms and money(each[entry].deficit_change) == "$0", entry
    assert "(424,000 t) alone changes no term: rice stays at 424,000 t" in guide


@pytest.mark.slow      # a whole command on the default instance
def test_the_guides_july_terms_on_the_default_are_evaluates(default_run, guide):
    inst = load(DEFAULT)
    ev = evaluate_offer(NegotiationModel(inst), load_offer(JULY, inst))
    s = ev.stated
    broken = {b.name: b for b in s.broken}
    assert not s.acceptable and set(broken) == {"red_line[us_production]", "participation[home]"}
    assert all(b.party == "home" for b in broken.values())
    no_deal = next(m.no_deal for m in default_run.metrics if m.name == "deficit")
    assert (f"deficit {money(s.metrics['deficit'])}, against {money(no_deal)} with no deal; the US "
            f"**{money(s.gains['home'], True)}**, Japan {money(s.gains['partner'], True)} over no deal. "
            f"It breaks 2 constraints, both the US's") in guide
    prod = broken["red_line[us_production]"]
    assert (f"({prod.value:,.0f} against at least {prod.bound:,.0f}, **by {round(prod.amount, -2):,.0f} "
            f"vehicles**") in guide
    assert f"participation (**{money(-s.gains['home'])}** worse off than no deal)" in guide
    assert ev.completion.status == "infeasible" and ev.completion.gains is None
    f = ev.frontier.from_stated
    assert f.on_frontier and f.joint_gain is not None and f.joint_gain < 0
    assert f"the most both sides can have at once is {money(-f.joint_gain)} less each" in guide
    a = ev.amendment
    assert a is not None and a.verified and a.changes is not None
    assert [(c.lever, c.before, c.to) for c in a.changes] == [("tariff.cars", "flat 15.0%", "flat 20.0%")]
    added = {c.lever: c.to for c in a.added}
    assert added["commitment.us_brand_importers.cars"] == pytest.approx(13_040)
    assert added["commitment.toyota_dealers.cars"] == pytest.approx(20_000)
    assert sum(v for k, v in added.items() if k.startswith("shift.")) == pytest.approx(320_000)
    assert (f"deficit **{money(a.metrics['deficit'])}**, the US **{money(a.gains['home'], True)}**, "
            f"Japan **{money(a.gains['partner'], True)}** over no deal (verified)") in guide


@pytest.mark.slow      # a whole command on the default instance
def test_the_guides_draws_of_the_july_terms_on_the_default(guide):
    inst = load(DEFAULT)
    rb = offer_robustness(inst, load_offer(JULY, inst), 50)
    assert (rb.draws, rb.acceptable, rb.whose) == (50, 0, {"home": 50})
    assert rb.broken_by["US: vehicles built in the US no fewer than with no deal"] == 50
    assert (f"unacceptable in all {rb.draws} draws of the default (the US's constraints break in every one, its "
            f"red line on vehicles built in the US in all {rb.draws}; Japan's in none)") in guide


@pytest.mark.slow      # a whole command on the default instance
def test_the_guides_packages_on_the_default_differ_as_it_says(guide):
    """The prose under the alternatives table (the table itself: test_alternatives.py)."""
    from model.analyses.alternatives import find_alternatives
    found = find_alternatives(NegotiationModel(load(DEFAULT)))
    p = found.packages
    assert len(p) == 5 and found.equivalent == [1, 3, 4]
    boeing = [x.levers.get("purchase.boeing_aircraft", 0) for x in p]
    assert [f"{b:.2f}" for b in boeing[1:3]] == ["8.49", "16.98"]
    assert "Japan buys 8.49 and 16.98 Boeing aircraft a year" in guide
    assert [money(x.partner_gain - p[0].partner_gain) for x in p[1:3]] == \
        [money(-found.min_gain_usd), money(-2 * found.min_gain_usd)]
    assert all(x.deficit == pytest.approx(p[0].deficit, abs=1) for x in p[1:3])
    assert all(x.levers["ntb.us_safety_standards"] == 0 and p[0].levers["ntb.us_safety_standards"] == 1 for x in p[3:])
    assert (f"{money(p[3].deficit - p[0].deficit)} more deficit, and Japan {money(p[3].partner_gain - p[0].partner_gain)} "
            f"and {money(p[4].partner_gain - p[0].partner_gain)} better off than with package 1") in guide
    gains = [x.partner_gain for x in p]
    assert (f"Japan's gain ranges from {money(min(gains))} to {money(max(gains))}") in guide


def _sweep(tmp_path: Path, capsys, instance: Path, *args: str) -> tuple[str, dict]:
    out = tmp_path / instance.stem
    assert main(["sweep", str(instance), *args, "--out", str(out)]) == 0
    return " ".join(capsys.readouterr().out.split()), json.loads((out / "sweep_summary.json").read_text())


@pytest.mark.slow
def test_the_sweeps_monte_carlo_figures_are_the_commands(tmp_path, capsys, sweeps):
    """200 draws, seed 1, on the default and on the first calibration (about 10 s each)."""
    text, s = _sweep(tmp_path, capsys, DEFAULT, "--monte-carlo", "200", "--seed", "1")
    assert "sweep instances/toyota_2025.yaml --monte-carlo 200 --seed 1" in sweeps
    assert len(s["uncertain"]) == 11 and "declares eleven of them under `uncertainty:`" in sweeps
    assert s["status"] == {"optimal": 200} and s["verified"] == 200
    assert "all 200 draws give a deal, and all 200 deals passed verification" in sweeps
    q = s["quantiles"]["deficit"]
    assert (f"The deficit's median is {money(q['q50'])} and 90% of the deals fall between {money(q['q05'])} "
            f"and {money(q['q95'])}") in sweeps
    assert f"median {money(q['q50'])}, 90% of them between {money(q['q05'])} and {money(q['q95'])}" in text
    base = s["sensitivity"][0]
    assert base["path"] == "segments.cars.partner_supply_elasticity" and base["base"] == pytest.approx(0.3)
    assert f"well below the {money(base['base_deficit'])} of the deal with the instance's own values" in sweeps
    assert f"moves the deficit by {money(base['swing'], True)} (the tornado's largest swing" in sweeps
    second = s["sensitivity"][1]
    assert second["path"] == "goods.us_farm_goods.additional_share"
    assert f"the grains' additional share is next, {money(second['swing'], True)})" in sweeps
    share = {(x["lever"], x["choice"]): x["share"] for x in s["levers"]}
    assert (f"Cars pay 25% in {share[('tariff.cars', 'flat_25')]:.0%} of the deals and the US–UK style quota "
            f"(100,000 vehicles at 10%, 27.5% above) in {share[('tariff.cars', 'trq_100k')]:.1%}") in sweeps
    assert f"stays at the no-deal 27.5% in {share[('tariff.parts', 'flat_27.5')]:.1%} of them" in sweeps
    assert all(share[(f"shift.{m}.cars", "used")] == 1 for m in ("toyota", "honda", "nissan", "subaru", "mazda"))
    assert share[("commitment.us_brand_importers.cars", "used")] == share[("commitment.toyota_dealers.cars", "used")] == 1

    text, s = _sweep(tmp_path, capsys, ROOT / "instances" / "smart_defaults.yaml", "--monte-carlo", "200", "--seed", "1")
    held = re.search(r"A deal holds in (\d+) of 200 draws", text)
    walks = re.search(r"United States walks away in ([\d,]+) of the ([\d,]+) draws without a deal", text)
    split = re.search(r"most separates deal from no deal is SUVs and crossovers: substitution elasticity: "
                      r"(a deal in \d+ of the \d+ draws below [\d.]+, \d+ of the \d+ above)", text)
    assert held and walks and split, text
    assert (f"gives a deal in {held[1]} of the 200 draws; the US walks away in {walks[1]} of the {walks[2]} "
            f"without one, and the input that most separates deal from no deal is the SUVs' substitution "
            f"elasticity ({split[1]})") in sweeps
