"""The default instance as data a trade economist would sign (issue 25): one definition per
figure, every supplier alike; elasticities and the supply response from the literature and the
2025 evidence; red lines stated before the framework of 22 July 2025; purchase additionality
from 2024's purchases; payoff weights that count each dollar once; at most 40% assumptions.
And the README's figures for it are the commands' output."""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from model.cli import main
from model.economics.loading import load
from model.economics.outcomes import option_table
from model.formatting import money
from model.results import Results

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "instances" / "toyota_2025.yaml"
README = ROOT / "README.md"


@pytest.fixture(scope="module")
def inst():
    return load(DEFAULT)


def _run(path, out) -> tuple[str, Results]:
    """`solve.py run` on `path`, its report in `out`: (terminal text, Results read back)."""
    with pytest.MonkeyPatch.context() as mp:
        lines: list[str] = []
        mp.setattr("builtins.print", lambda *a, **k: lines.append(" ".join(str(x) for x in a)))
        assert main(["run", str(path), "--out", str(out)]) == 0
    return "\n".join(lines), Results.from_dict(json.loads((out / "results.json").read_text()))


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """`solve.py run` on the default instance: (terminal text, Results)."""
    return _run(DEFAULT, tmp_path_factory.mktemp("sourced") / "toyota")


def _assumed(instance) -> int:
    return sum(1 for i in instance.inputs if instance.sources[i.source].kind == "assumption")


def test_at_most_40_percent_of_the_inputs_are_assumptions(inst):
    assumed = _assumed(inst)
    assert (assumed, len(inst.inputs)) == (54, 155)
    assert assumed / len(inst.inputs) <= 0.40
    smart = load(ROOT / "instances" / "smart_defaults.yaml")
    assert (_assumed(smart), len(smart.inputs)) == (196, 241)        # the first calibration


def test_one_definition_for_every_supplier_hs_8703_2024(inst):
    """Japan and every third country: Commerce's HS 8703 values (USD bn, 2024); the EU the sum of
    its four members in Commerce's top ten. US exports to each, so every balance is a balance;
    US exports to Japan are Commerce's US-origin USD 0.853 bn, not US-brand sales."""
    cars = inst.segments["cars"]
    assert cars.imports * cars.import_price == pytest.approx(39.936e9, rel=1e-3)
    assert cars.exports * cars.export_price == pytest.approx(0.853e9, rel=1e-3)
    commerce = {"korea": 37.386, "mexico": 49.743, "canada": 28.262, "uk": 9.715, "eu": 25.326 + 6.255 + 3.946 + 3.869}
    suppliers = {s.country: s for s in cars.armington.suppliers}
    for c, bn in commerce.items():
        assert suppliers[c].imports * suppliers[c].import_price == pytest.approx(bn * 1e9, rel=1e-4), c
        assert inst.third_countries[c].exports_value > 0, c
    assert set(inst.third_countries) == set(commerce)


def test_auto_parts_are_a_line_counted_in_usd(inst):
    """Parts (HS 8706-8708) from Japan: USITC's Jan-Nov 2024 USD 6.7 bn annualised, counted in USD
    (a unit is a dollar at 2024 prices), on a tariff line of their own at the 2.5% MFN rate, 27.5%
    with no deal (Section 232 from 3 May 2025); every maker's shifted Japanese content is imported
    on it. Volume totals are vehicles: the parts have their own imports_units[parts]."""
    parts = inst.segments["parts"]
    assert parts.unit == "USD" and parts.import_price == 1 and parts.export_price == 1
    assert parts.imports == pytest.approx(6.7e9 * 12 / 11, rel=1e-3)
    assert parts.base_tariff == pytest.approx(0.025) and inst.line_of("parts") != inst.line_of("cars")
    assert inst.no_deal.values("tariff")[inst.line_of("parts")] == "flat_27.5"
    assert [o.name for o in inst.options("parts")][:2] == ["flat_2.5", "flat_5"]
    assert all(mk.parts_segment == "parts" and mk.partner_content == pytest.approx(0.10) for mk in inst.makers.values())
    assert parts.partner_supply_elasticity == float("inf")          # perfectly elastic (docs/model.md)
    assert round(parts.imports / 1e9, 2) == 7.31 and round(6.7 / 78.4, 3) == 0.085
    assert inst.quantity_unit == "vehicles" and inst.uncounted == ("parts",)
    # Japan's own-price elasticity in GTAP's nest at its 8.5% share of US parts imports.
    s_japan = 6.7 / 78.4
    assert parts.elasticity == pytest.approx(-5.6 * (1 - s_japan) + s_japan * (-2.8 * 0.5 - 1.0 * 0.5), abs=0.02)


def test_the_supply_elasticity_gives_the_central_2025_pass_through(inst):
    """phi = 0.3 is the supply elasticity at which the model's own pass-through of the no-deal
    27.5% against 2024 is 30% (the data sheet's central figure); its range 0.05 to 44 spans
    about 27% (competitors' tariffs rose too, so even a fixed Japanese supply passes some on)
    to 92%. The exporters' price falls about 13.6%, within the BoJ index's 13% to 20%."""
    seg = inst.segments["cars"]
    assert seg.partner_supply_elasticity == 0.3 and seg.pass_through is None

    def at(phi):
        i2 = dataclasses.replace(inst, segments={**inst.segments, "cars": dataclasses.replace(seg, partner_supply_elasticity=phi)})
        return option_table(i2)["cars", "flat_27.5"]
    central = at(0.3)
    assert central.pass_through == pytest.approx(0.30, abs=0.01)
    assert central.supply_price_factor - 1 == pytest.approx(-0.136, abs=0.002)
    assert 1 - central.supply_price_factor < seg.partner_margin / seg.import_price     # the margin does not bind
    assert at(0.05).pass_through == pytest.approx(0.27, abs=0.01)
    assert at(44).pass_through == pytest.approx(0.92, abs=0.01)
    drawn = {u.path: u for u in inst.uncertainty}["segments.cars.partner_supply_elasticity"]
    assert (drawn.low, drawn.high) == (0.05, 44)


def test_purchase_additionality_comes_from_2024_purchases(inst):
    rice, farm, boeing = (inst.goods[g] for g in ("us_rice", "us_farm_goods", "boeing_aircraft"))
    assert rice.unit_value == round(298e6 / 346_000)                 # USD 298 m for 346,000 t
    assert rice.max_units == 770_000 - 346_000                      # within the minimum-access volume
    assert rice.additional_share == 1.0                             # on top of FY2024's purchases
    assert farm.additional_share == pytest.approx((8 - 5.95 - 1.31) / 8)   # USD 7.26 bn bought already
    assert farm.unit_value == 5.95e9 / 14e6                         # USD 425 a corn-equivalent tonne
    assert farm.max_units * farm.unit_value == pytest.approx(8e9, rel=1e-7)
    assert boeing.additional_share == 0.0                           # airlines' plans unchanged


def test_red_lines_are_stated_positions_of_both_sides_none_the_deals_terms(inst):
    """Each red line's bound rests on a dated publication from before 22 July 2025 (no analyst
    assumption), both sides have a political line beyond tariffs, and none is the framework's
    own terms (15% on cars; rice +75% within the quota, about 260,000 t)."""
    sources = inst.sources
    for r in inst.red_lines:
        src = next(i for i in inst.inputs if i.path == f"red_lines.{r.name.split('.')[0]}.bound").source
        assert sources[src].kind == "published" and sources[src].year == 2025, r.name
    bounds = {r.name.split(".")[0]: r.bound for r in inst.red_lines}
    assert bounds["japan_car_tariff_cap"] == pytest.approx(0.25) != 0.15
    assert bounds["japan_rice"] == 424_000 != 260_000
    assert {r.metric.split("[")[0] for r in inst.red_lines if r.party == "home"} >= {"home_production_gain"}
    assert {r.party for r in inst.red_lines} == {"home", "partner"}


def test_payoffs_count_each_dollar_once(inst):
    """No per-vehicle production terms on top of the deficit and margins: every weight is a
    dollar for a dollar, and each one is justified by a publication."""
    for party, weights in inst.payoff_weights.items():
        assert "home_production_gain" not in weights and "partner_production_loss" not in weights, party
        assert all(abs(w) == 1 for w in weights.values()), party
    for i in inst.inputs:
        if i.path.startswith("payoffs."):
            assert inst.sources[i.source].kind == "published", i.path


@pytest.mark.slow      # a whole command on the default instance
def test_readme_quotes_the_default_run(default_run):
    """README's first screen for the default instance, and every figure of its prose, are `run`'s."""
    terminal, r = default_run
    flat = re.sub(r"\s+", " ", terminal)
    readme = README.read_text(encoding="utf-8")
    section = readme.split("## What the default instance finds", 1)[1].split("\n## ", 1)[0]
    block = section.split("`make run` prints the report's first screen (abridged here):", 1)[1].split("```", 2)[1]
    items = [re.sub(r"\s+", " ", x).strip() for x in re.split(r"\n\s*(?=- |\d\. |note: |what holds|verification|"
                                                              r"bottom line|the deal|how robust|balances|overall|"
                                                              r"imports from|welfare against|United States:|Japan:|report:)",
                                                              block)]
    items = [x for x in items if x and x != "..." and not x.startswith(("report:", "verification:"))]
    assert len(items) > 20
    for item in items:
        assert item.replace(" ...", "") in flat, item

    prose = re.sub(r"\s+", " ", section.split("```", 2)[2])
    m = {row.name: row for row in r.metrics}
    deficit = m["deficit"]
    parts = m["imports_units[parts]"]              # USD: a unit of parts is a dollar
    cars_value = m["imports_value"].baseline - parts.baseline
    assert f"In 2024 the US deficit with Japan in passenger cars and auto parts is {money(deficit.baseline)}" in prose
    assert f"imports of {money(m['imports_value'].baseline)}, HS 8703 {money(cars_value)} and parts (HS 8706-8708) " \
           f"{money(parts.baseline)}, less {money(m['exports_value'].baseline)}" in prose
    assert f"With no deal (27.5% on cars and on parts) it is {money(deficit.no_deal)}" in prose
    assert f"cuts parts imports from Japan to {money(parts.no_deal)}" in prose
    assert f"{money(m['shift_parts_imports_value'].deal)} of parts, is imported on the parts line and pays " \
           f"{money(m['shift_parts_duty'].deal)} of duty" in prose
    assert next(lv for lv in r.levers if lv.name == "tariff" and lv.index == "parts").choice == "flat 27.5%"
    assert "leaves parts at the no-deal 27.5%" in prose
    segs = load(DEFAULT).segments
    assert f"cars {money(segs['cars'].exports * segs['cars'].export_price)} and an assumed " \
           f"{money(segs['parts'].exports * segs['parts'].export_price)} of parts" in prose
    assert r.pass_through is not None
    parts_pt = [x for x in r.pass_through.deal if x.line == "parts"]
    assert parts_pt[0].pass_through == 1.0 and "buyers pay all of the parts tariff" in prose
    assert f"falls to {money(deficit.deal)}, {money(deficit.no_deal - deficit.deal)} below no deal" in prose
    tariff = next(lv for lv in r.levers if lv.name == "tariff")
    assert tariff.choice == "flat 25.0%" and "puts 25% on Japanese cars" in prose
    shifted = sum(lv.value for lv in r.levers if lv.name == "production_shift")
    sold = sum(lv.value for lv in r.levers if lv.name == "commitment")
    assert f"move {shifted:,.0f} vehicles" in prose and f"dealers sell {sold:,.0f} US-built" in prose
    goods = {lv.index: lv.value for lv in r.levers if lv.name == "purchase"}
    assert f"buys {goods['us_rice']:,.0f} t more US rice" in prose
    assert f"{money(goods['us_farm_goods'] * 425)} of US grains and soy" in prose
    assert f"only {money(m['purchases_value'].deal)} with the rice is additional" in prose
    assert "already bought $7.26 bn" in prose
    pt = r.pass_through
    assert pt is not None
    assert f"pay {pt.no_deal[0].pass_through:.0%} of the no-deal tariff on cars" in prose
    assert f"and {pt.deal[0].pass_through:.0%} of the deal's" in prose
    div = r.diversion
    assert div is not None and f"{div.diverted_share.value:.0%} of the fall in imports from Japan is diverted" in prose
    home = m["home_payoff"]
    welfare = m["home_welfare"]
    assert f"The US payoff gains {money(home.deal - home.no_deal)} while US welfare falls " \
           f"{money(welfare.no_deal - welfare.deal)}" in prose
    costs = r.red_line_costs
    assert costs is not None
    each = {c.entry: c for c in costs.each}
    car = each["japan_car_tariff_cap"]
    assert f"deficit would be {money(-car.deficit_change)} lower" in prose
    assert not each["us_car_tariff_floor"].terms and not each["us_production"].terms
    assumed = sum(1 for i in r.inputs if i.kind == "assumption")
    assert f"{assumed} of its {len(r.inputs)} inputs ({assumed / len(r.inputs):.0%}) are assumptions" in \
        re.sub(r"\s+", " ", section)


@pytest.mark.slow      # a whole command on the default instance
def test_readme_quotes_the_comparison_with_the_first_calibration(tmp_path):
    """'What the sources changed' quotes `compare smart_defaults toyota_2025` as printed."""
    readme = README.read_text(encoding="utf-8")
    section = readme.split("## What the sources changed", 1)[1].split("\n## ", 1)[0]
    quoted = section.split("```", 2)[1].strip("\n").splitlines()
    with pytest.MonkeyPatch.context() as mp:
        lines: list[str] = []
        mp.setattr("builtins.print", lambda *a, **k: lines.append(" ".join(str(x) for x in a)))
        assert main(["compare", str(ROOT / "instances" / "smart_defaults.yaml"), str(DEFAULT),
                     "--out", str(tmp_path / "compare")]) == 0
    printed = "\n".join(lines).splitlines()
    table = [x for x in quoted if not x.startswith("comparison:")]
    assert table == [x for x in printed if not x.startswith(("comparison:", "reused saved"))]
    text = re.sub(r"\s+", " ", section)
    assert "$210.91 bn" in text and "$128.10 bn" in text and "(41% of the change instead of 12%)" in text
    assert "$210.91 bn" in quoted[[i for i, x in enumerate(quoted) if x.startswith("overall balance")][0]]


@pytest.mark.slow      # a whole command on the default instance
def test_readme_quotes_the_july_terms_on_the_default(tmp_path):
    """The July 2025 terms evaluated on the sourced default: the README's figures are the command's."""
    with pytest.MonkeyPatch.context() as mp:
        lines: list[str] = []
        mp.setattr("builtins.print", lambda *a, **k: lines.append(" ".join(str(x) for x in a)))
        main(["evaluate", str(DEFAULT), "--offer", str(ROOT / "instances" / "offers" / "july_2025_terms_sourced.yaml"),
              "--out", str(tmp_path / "offer")])
    out = re.sub(r"\s+", " ", "\n".join(lines))
    prose = re.sub(r"\s+", " ", README.read_text(encoding="utf-8"))
    assert "NOT acceptable as stated" in out
    assert "United States -$7.40 bn, Japan" in out and "leave the US $7.40 bn worse off than no deal" in prose
    assert "515,081 vehicles against >= 522,382 vehicles" in out
    assert "(515,081 vehicles built in the US against 522,382 with no deal)" in prose
    assert "flat 15.0% -> flat 20.0%" in out and "is 20.0% on cars" in prose
    assert "auto parts" not in out.split("smallest change", 1)[1].split("then:", 1)[0] and "parts staying at 15%" in prose
    assert "then: deficit $27.12 bn" in out and "the deficit is then $27.12 bn" in prose


@pytest.mark.slow      # a whole command on the default instance
def test_readme_quotes_the_default_sweep(tmp_path):
    """The README's sweep figures for the sourced default are `sweep --monte-carlo 100 --seed 1`'s."""
    with pytest.MonkeyPatch.context() as mp:
        lines: list[str] = []
        mp.setattr("builtins.print", lambda *a, **k: lines.append(" ".join(str(x) for x in a)))
        assert main(["sweep", str(DEFAULT), "--monte-carlo", "100", "--seed", "1", "--out", str(tmp_path / "s")]) == 0
    out = re.sub(r"\s+", " ", "\n".join(lines))
    prose = re.sub(r"\s+", " ", README.read_text(encoding="utf-8"))
    assert len(load(DEFAULT).uncertainty) == 11 and "the eleven ranges the instance states" in prose
    assert "A deal holds in 100 of 100 draws (100%)" in out and "a deal holds in 100 of 100 draws" in prose
    assert "median $11.67 bn, 90% of them between $5.59 bn and $19.22 bn" in out
    assert "median of $11.67 bn (90% of them between $5.59 bn and $19.22 bn)" in prose
    assert "tariff on auto parts (HTS 8706-8708): flat 27.5% 50%," in out and "27.5% in half of the deals (50%)" in prose
    ranked = re.findall(r"sensitivity: ([^:]+): ([a-z ]+) moves the deficit by ([-+]\$[0-9.]+ [a-zA-Z]+)", out)
    assert [(x[0], x[1]) for x in ranked] == [("passenger cars", "partner supply elasticity"),
                                             ("US grains and soy", "additional share"),
                                             ("passenger cars", "partner margin")]
    for (_, _, amount), said in zip(ranked, ("moves the deficit most ($8.93 bn", "additional share ($4.39 bn)",
                                             "exporters' margin ($3.07 bn)")):
        assert amount.lstrip("+-") in said and said in prose


OVER_TIME = ROOT / "instances" / "toyota_2025_over_time.yaml"


@pytest.fixture(scope="module")
def over_time_run(tmp_path_factory):
    """`solve.py run` on the default over 2025-2034: (terminal text, Results)."""
    return _run(OVER_TIME, tmp_path_factory.mktemp("sourced") / "over_time")


@pytest.mark.slow      # a whole command on the default instance
def test_the_default_over_time_solves_with_every_year_verified_and_purchases_as_announced(over_time_run):
    """Structure, no pinned figure: ten years, each year's deal checked outside the solver (its
    checks are named y<year>:...), the purchases on their announced paths (100 aircraft in all,
    USD 8 bn of farm goods and the 259,500 t rice rise every year), each tariff line from its menu of four."""
    _, r = over_time_run
    inst = load(OVER_TIME)
    assert r.status == "optimal" and r.verification.ok and r.over_time is not None
    ot = r.over_time
    assert ot.years == list(range(2025, 2035)) and ot.discount_rate == pytest.approx(0.02)
    assert r.verification.checks > 10 * len(inst.red_lines)
    by = {s.name: s for s in ot.schedules}
    assert by["boeing"].values == [0, 20, 20, 20, 20, 20, 0, 0, 0, 0] and sum(by["boeing"].values) == 100
    assert by["farm"].values == [18823529] * 10 and by["rice"].values == [259500] * 10
    assert all(by[k].fixed for k in ("boeing", "farm", "rice")) and not by["car_tariff"].fixed
    assert len(by["car_tariff"].menu) == 4 and by["car_tariff"].path in by["car_tariff"].menu
    assert len(by["parts_tariff"].menu) == 4 and by["parts_tariff"].path in by["parts_tariff"].menu
    assert not by["parts_tariff"].fixed
    gains = {g.name: g.deal_sum for g in ot.gains}
    assert gains["home"] >= -1e-6 and gains["partner"] >= -1e-6      # participation in present value


@pytest.mark.slow      # a whole command on the default instance
def test_readme_and_header_quote_the_default_over_time(over_time_run):
    """The README's figures for the default over time, and its header's chosen path, are `run`'s: when
    the instance or the default moves, this names the figure to update."""
    text, r = over_time_run
    out = re.sub(r"\s+", " ", text)
    prose = re.sub(r"\s+", " ", README.read_text(encoding="utf-8"))
    header = re.sub(r"\s*#\s*", " ", OVER_TIME.read_text(encoding="utf-8").split("schema_version")[0])
    path = next(s for s in r.over_time.schedules if s.name == "car_tariff")
    chosen = re.search(r"- US tariff on Japanese passenger cars: (.+?) \(([^()]*chosen from 4)\)", out)
    assert chosen, out
    assert f"takes {chosen.group(1).strip()} ({chosen.group(2)})" in prose, chosen.groups()
    assert path.path == "held_25" and "the deal holds 25% every year" in header, path.path
    pv = re.search(r"Present values at 2% a year, in 2025 dollars, over 2025 to 2034: United States' gain over no "
                   r"deal by its payoff (\S+ \S+); Japan's gain over no deal by its payoff (\S+ \S+); the deficit "
                   r"(\$\S+ \S+) with the deal against (\$\S+ \S+) with no deal \((\S+ \S+)\)", out)
    assert pv, out
    us, japan, deal, none, change = pv.groups()
    assert (f"the deficit {deal} with the deal against {none} with no deal ({change}); the United States' gain "
            f"over no deal by its payoff {us}, Japan's {japan.rstrip()}.") in prose, pv.groups()
    last = r.metric("deficit").deal
    assert "| `toyota_2025_over_time` |" in prose and f"| {money(last)} |" in prose


@pytest.mark.slow      # a whole command on the default instance
def test_docs_quote_the_default_over_times_robustness(over_time_run):
    """run's draws of the default over time (its default count, seed 0): README, docs/model.md and
    docs/performance.md quote them."""
    from model.analyses.deal_robustness import HORIZON_DRAWS
    _, r = over_time_run
    rb = r.robustness
    assert rb is not None and rb.draws == HORIZON_DRAWS and rb.years == "2025-2034" and rb.method == "rebuild"
    prose = re.sub(r"\s+", " ", README.read_text(encoding="utf-8"))
    assert f"For `toyota_2025_over_time` a deal holds in {rb.deals} of {rb.draws} draws." in prose
    model_md = re.sub(r"\s+", " ", (ROOT / "docs" / "model.md").read_text(encoding="utf-8"))
    assert f"`instances/toyota_2025_over_time.yaml`: a deal in {rb.deals} of {rb.draws} draws." in model_md
    perf = re.sub(r"\s+", " ", (ROOT / "docs" / "performance.md").read_text(encoding="utf-8"))
    assert f"({rb.deals} of {rb.draws} with a deal)" in perf
