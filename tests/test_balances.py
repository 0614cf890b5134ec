"""The bilateral balances, each named for what it is (issue 25, item 1), worked by hand on the
tiny instance (tests/tiny.py): 1,000 cars at $10,000 and 100 trucks at $20,000 from the partner
at 0% in the calibration year, no home exports; elasticity -1, full pass-through; the deal and
no deal both at 20%, so imports are 1,000/1.2 cars and 100/1.2 trucks: $10,000,000 in all.

(a) `sector_deficit`: the modelled lines alone (vehicles and parts with the partner);
(b) `deficit`: the negotiated goods (the lines less the additional share of purchases);
(c) `all_goods_deficit`: (b) plus the goods not negotiated (`other_goods_deficit`), held at their
    calibration-year level: `all_goods` less the lines' calibration-year imports and exports.
"""
import re

import pytest
from tiny import q, tiny, write

from model.economics.loading import load
from model.economics.metrics import evaluate
from model.errors import InstanceErrors
from model.reporting.first_screen import deal_sentence
from model.reporting.markdown import report_markdown
from model.run import solve_instance

JET = {"jet": {"label": "aircraft", "unit": "aircraft", "unit_value": q(1, "USD million/aircraft"),
               "max_units": q(10, "aircraft"), "political_cost": q(0, "USD/aircraft"),
               "additional_share": q(30, "%")}}
ALL_GOODS = {"imports": q(50, "USD million"), "exports": q(30, "USD million")}


def test_three_balances_and_the_background_by_hand(tmp_path):
    """Calibration year: lines $10,000,000 + $2,000,000 = $12,000,000 of imports, no exports: (a) =
    (b) = $12,000,000. All goods $50,000,000 in, $30,000,000 out: the goods not negotiated are
    (50 - 12) - (30 - 0) = $8,000,000 of deficit, and (c) = 50 - 30 = $20,000,000.
    No deal (20%, no purchases): (a) = (b) = $10,000,000, (c) = $18,000,000.
    Deal (20%, 10 aircraft of $1,000,000, 30% additional): (a) = $10,000,000, (b) = 10 - 3 =
    $7,000,000, (c) = 7 + 8 = $15,000,000."""
    r = solve_instance(tiny(tmp_path, {"goods": JET, "all_goods": ALL_GOODS}))
    assert r.verification.ok
    want = {"sector_deficit": (12e6, 10e6, 10e6), "deficit": (12e6, 10e6, 7e6),
            "other_goods_deficit": (8e6, 8e6, 8e6), "all_goods_deficit": (20e6, 18e6, 15e6)}
    for name, (baseline, no_deal, deal) in want.items():
        m = r.metric(name)
        assert (m.baseline, m.no_deal, m.deal) == pytest.approx((baseline, no_deal, deal), abs=1e-3), name


def test_all_goods_less_negotiated_goods_is_the_background_with_and_without_a_deal(tmp_path):
    """(c) - (b) is the same constant, the stated background, at the calibration year, with no deal and
    with any deal (here every tariff option and purchase level, evaluated outside the solver)."""
    from model.data.instance import Deal
    inst = tiny(tmp_path, {"goods": JET, "all_goods": ALL_GOODS})
    settings = [None, inst.no_deal] + [Deal(tariff={"car": t, "truck": t}, purchases={"jet": n})
                                       for t in ("flat_0", "flat_10", "flat_20") for n in (0.0, 4.0, 10.0)]
    for deal in settings:
        v = evaluate(inst, deal)
        assert v["all_goods_deficit"] - v["deficit"] == pytest.approx(8e6, abs=1e-6)
        assert v["other_goods_deficit"] == pytest.approx(8e6, abs=1e-6)
    # At the calibration year, all goods is the partner's whole goods balance as stated.
    assert evaluate(inst, None)["all_goods_deficit"] == pytest.approx(50e6 - 30e6)


def test_the_first_screen_and_the_report_name_each_balance(tmp_path):
    """The bottom line states the deal on the negotiated goods, then the vehicles alone and all
    goods, each by what it is; the report's headline balances give the background in words."""
    r = solve_instance(tiny(tmp_path, {"goods": JET, "all_goods": ALL_GOODS}))
    said = deal_sentence(r)
    assert "the deficit in the negotiated goods (vehicles and the additional purchases) is $7.0 M a year, " \
           "-$3.0 M against no deal ($10.0 M)" in said
    assert "; the deficit in vehicles with Partner $10.0 M ($0);" in said
    assert "; the deficit in all goods with Partner (other goods at the calibration year's level) $15.0 M " \
           "(-$3.0 M)." in said
    assert "total bilateral" not in said
    text = report_markdown(r)
    assert "- Deficit in all goods with Partner" in text and "goods not negotiated, $8.0 M of deficit, held at their calibration-year level" in text
    from model.reporting.html import report_html
    html = report_html(r)
    for card in ("deficit in vehicles with Partner", "deficit in the negotiated goods (vehicles and the additional "
                 "purchases)", "deficit in all goods with Partner (other goods at the calibration year&#x27;s level)"):
        assert f'<div class="l">{card}</div>' in html, card


def test_without_all_goods_there_is_no_balance_in_all_goods(tmp_path):
    """No `all_goods`: no such metric row, nothing said of it; naming it is refused with the field."""
    r = solve_instance(tiny(tmp_path, {"goods": JET}))
    assert not any(m.name in ("all_goods_deficit", "other_goods_deficit") for m in r.metrics)
    assert "all goods" not in deal_sentence(r) and "all goods" not in report_markdown(r)
    path = write(tmp_path, {"red_lines": {"cap": {"party": "home", "label": "cap", "reason": "test",
                                                  "metric": "all_goods_deficit", "sense": "<=",
                                                  "bound": q(1, "USD billion")}}})
    with pytest.raises(InstanceErrors) as err:
        load(path)
    text = str(err.value)
    assert "red_lines.cap.metric" in text and "needs the instance's 'all_goods'" in text


@pytest.mark.parametrize("field, value, words", [
    ("imports", 5, "the modelled lines' calibration-year imports (USD 12,000,000 a year"),
    ("exports", -1, "all_goods.exports"),
])
def test_bad_all_goods_is_refused_with_its_field(tmp_path, field, value, words):
    """All goods below the modelled lines ($12,000,000 of imports) is refused, naming the field;
    so is a negative total."""
    path = write(tmp_path, {"all_goods": {**ALL_GOODS, field: q(value, "USD million")}})
    with pytest.raises(InstanceErrors) as err:
        load(path)
    text = str(err.value)
    assert f"all_goods.{field}" in text and words in text


def test_exports_above_all_goods_exports_are_refused(tmp_path):
    """200 home-made cars at $10,000 sold in the partner's market ($2,000,000) exceed all goods'
    exports of $1,000,000."""
    path = write(tmp_path, {"segments": {"car": {"exports": q(200, "vehicles")}},
                            "all_goods": {**ALL_GOODS, "exports": q(1, "USD million")}})
    with pytest.raises(InstanceErrors) as err:
        load(path)
    assert "all_goods.exports" in str(err.value) and "exceed the total for all goods" in str(err.value)


@pytest.mark.parametrize("where", ["payoff", "red_line", "objective_metric"])
def test_the_old_name_of_the_lines_balance_says_its_new_name(tmp_path, where):
    """'negotiated_deficit' (the lines alone, before the rename) in a file: a clear error naming
    'sector_deficit', wherever a metric is named."""
    over = {"payoff": {"payoffs": {"home": {"negotiated_deficit": q(-1, "1")}}},
            "red_line": {"red_lines": {"cap": {"party": "home", "label": "cap", "reason": "test",
                                               "metric": "negotiated_deficit", "sense": "<=",
                                               "bound": q(1, "USD billion")}}},
            "objective_metric": {"settings": {"objective_metric": "negotiated_deficit"}}}[where]
    with pytest.raises(InstanceErrors) as err:
        load(write(tmp_path, over))
    text = str(err.value)
    assert "metric 'negotiated_deficit' was renamed" in text and "is now called 'sector_deficit'" in text


def cap(bound_musd: float) -> dict:
    return {"red_lines": {"cap": {"party": "home", "label": "all goods cap", "reason": "test",
                                  "metric": "all_goods_deficit", "sense": "<=", "bound": q(bound_musd, "USD million")}}}


def test_the_balance_in_all_goods_can_be_minimized_and_capped(tmp_path):
    """It differs from the negotiated goods' by a constant: minimizing it gives the same deal
    ($15,000,000; the negotiated goods $7,000,000). In the model it carries the $8,000,000 background
    too: a red line on it at $16,000,000 is the negotiated goods at $8,000,000 or less (the deal
    meets it), at $14,000,000 the negotiated goods at $6,000,000, below the least possible
    ($7,000,000): no deal."""
    base = {"goods": JET, "all_goods": ALL_GOODS}
    r = solve_instance(tiny(tmp_path, {**base, "settings": {"participation": False,
                                                            "objective_metric": "all_goods_deficit"}}))
    assert r.objective.metric == "all_goods_deficit"
    assert r.metric("all_goods_deficit").deal == pytest.approx(15e6, abs=1e-3)
    assert r.metric("deficit").deal == pytest.approx(7e6, abs=1e-3)
    met = solve_instance(tiny(tmp_path, {**base, **cap(16)}))
    assert met.status == "optimal" and met.metric("deficit").deal == pytest.approx(7e6, abs=1e-3)
    assert solve_instance(tiny(tmp_path, {**base, **cap(14)})).status == "infeasible"


def test_third_countries_without_exports_are_said_as_imports(tmp_path):
    """A third country without `exports_value`: its row is 'imports from Other', never a deficit;
    with it, 'balance with Other', net of the exports."""
    from test_armington import two_sources
    r = solve_instance(two_sources(tmp_path, home=(3000, 12000)))
    text = report_markdown(r)
    assert "imports from Other in the modelled lines (home exports to it not given)" in text
    assert "balance with Other" not in text
    given = solve_instance(two_sources(tmp_path, home=(3000, 12000), third_countries={"other": {
        "exports_value": q(2, "USD million")}}))
    text = report_markdown(given)
    assert "balance with Other in the modelled lines" in text and "imports from Other in the" not in text
    m = given.metric("third_country_deficit[other]")
    assert m.baseline == pytest.approx(1000 * 10000 - 2e6)


def test_readme_figures_for_all_goods_on_the_july_framework():
    """README ('All goods'): the July 2025 framework instance with Census's 2024 totals (imports
    $148.2 bn, exports $79.74 bn): all goods $68.46 bn in 2024 (= 148.2 - 79.74), $57.74 bn with
    its deal; the goods not negotiated $28.24 bn; all goods less the negotiated goods is that
    background at the calibration year, with no deal and with the deal."""
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    r = solve_instance(load(root / "instances" / "july_2025_framework.yaml"), concessions=False)
    a, d, o = r.metric("all_goods_deficit"), r.metric("deficit"), r.metric("other_goods_deficit")
    assert a.baseline == pytest.approx(148.2e9 - 79.74e9)
    for when in ("baseline", "no_deal", "deal"):
        assert getattr(a, when) - getattr(d, when) == pytest.approx(o.baseline, abs=1e-3)
    readme = (root / "README.md").read_text(encoding="utf-8")
    said = re.sub(r"\s+", " ", readme.split("**All goods.**", 1)[1].split("**Welfare as the goal.**")[0])
    from model.formatting import money
    for figure in (a.baseline, a.dealt, o.baseline):
        assert money(figure) in said, money(figure)
