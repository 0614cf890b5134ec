"""Charts a reader can use (issue 26 item 4), checked without a browser: the figure each chart
function draws is caught as it is saved (`charts.to_svg`), and its axes, markers and texts read
back. No clipped point (every marker wholly inside its axes' frame), plain labels from the
instance's own names (no raw ids), marked or linear axes, text of at least 9 pt (12 px as the
pages draw charts: 1 pt of the SVG = 4/3 px)."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import matplotlib.text
import pytest

from model.reporting import charts
from model.results.sections import ConcessionValue

MIN_PT = 9.0
ROOT = Path(__file__).resolve().parent.parent
# Whole commands on the default instance (charts of the default instance's commands, end to end): seconds each, so not in the fast loop.
pytestmark = pytest.mark.slow


def svg_texts(svg: str) -> list[str]:
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def outside_markers(fig) -> list[tuple]:
    """Markers of every axes' scatter not wholly inside that axes' frame (display units, each
    marker as a disc of its size)."""
    bad = []
    for ax in fig.axes:
        box = ax.bbox
        for coll in ax.collections:
            offsets = coll.get_offsets()
            if len(offsets) == 0:
                continue
            sizes = list(coll.get_sizes()) or [36.0]
            pts = coll.get_offset_transform().transform(offsets)
            for k, (x, y) in enumerate(pts):
                r = math.sqrt(sizes[k % len(sizes)]) / 2 * fig.dpi / 72
                if not (box.x0 <= x - r and x + r <= box.x1 and box.y0 <= y - r and y + r <= box.y1):
                    bad.append((ax.get_title(), tuple(offsets[k]), x, y))
    return bad


def small_texts(fig) -> list[tuple[str, float]]:
    return [(t.get_text(), t.get_fontsize()) for t in fig.findobj(matplotlib.text.Text)
            if t.get_text().strip() and t.get_visible() and t.get_fontsize() < MIN_PT]


def concession(lever, label, step, home, partner, trade):
    return ConcessionValue(lever=lever, family=lever.split(".")[0], label=label, party="home", kind="quantity",
                           status="ok", step=step, home_value=home, partner_value=partner, trade=trade)


# The default run's shape: two large values at opposite corners, many small ones near zero.
CONCESSIONS = [
    concession("tariff.cars", "Home tariff on cars (HTS 8703)", "one more cut: 15% -> 12.5%", -191e6, 362e6,
               "distributive"),
    concession("ntb.safety", "Partner accepts home safety tests", "granting it", 367e6, -91e6, "integrative"),
    concession("commitment.dealers_a.suv", "SUVs through dealer network A (120 outlets)", "the last 1,000 vehicles",
               22e6, 0.5e6, "win-win"),
    concession("shift.maker_b.midsize", "Maker B: midsize cars built at home", "1,000 vehicles more", -13.9e6,
               2.4e6, "reverse"),
    concession("purchase.rice", "Home rice", "the last 1,000 tonne", 0.09e6, -0.1e6, "integrative"),
]


def test_concession_points_lie_inside_the_axes(drawn):
    """The two largest points were on the corners of the symmetric-log axes, half cut off."""
    _, fig = drawn(charts.concession_chart, CONCESSIONS, {"home": "Home", "partner": "Partner"})
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == len(CONCESSIONS)
    assert outside_markers(fig) == []


def test_concession_points_are_named_in_the_instances_words_with_their_step(drawn):
    svg, fig = drawn(charts.concession_chart, CONCESSIONS, {"home": "Home", "partner": "Partner"})
    text = " ".join(svg_texts(svg))
    assert "Home tariff on cars: one more cut: 15% -&gt; 12.5%" in text          # the label, its detail cut
    assert "Partner accepts home safety tests: granting it" in text
    assert not re.search(r"\b(tariff\.cars|dealers_a|maker_b|ntb\.safety)\b", text)    # no raw ids
    # the largest point (sum of both values' sizes: 553 M) is number 1, the second (458 M) number 2
    assert "1. Home tariff on cars" in text and "2. Partner accepts home safety tests" in text


def test_a_symmetric_log_axis_says_so(drawn):
    """Values from 0.09 M to 367 M: both axes symmetric-log, each label says where it turns linear."""
    svg, fig = drawn(charts.concession_chart, CONCESSIONS, {"home": "Home", "partner": "Partner"})
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "symlog"
    assert "log scale beyond ±0.1 M" in ax.get_xlabel().replace("\n", " ")
    assert "log scale beyond ±0.1 M" in ax.get_ylabel().replace("\n", " ")
    # values within one order of magnitude: linear, and nothing said
    close = CONCESSIONS[2:4]
    svg, fig = drawn(charts.concession_chart, close, {"home": "Home", "partner": "Partner"})
    assert fig.axes[0].get_xscale() == "linear" and "log" not in fig.axes[0].get_xlabel()


def test_concession_text_is_at_least_9_points(drawn):
    _, fig = drawn(charts.concession_chart, CONCESSIONS, {"home": "Home", "partner": "Partner"})
    assert small_texts(fig) == []


# -- the bridge ---------------------------------------------------------------------------------

def bridge_rows():
    from model.results.sections import BridgeStep
    return [BridgeStep("calibration_year", "calibration year", None, 40e9),
            BridgeStep("no_deal", "no deal (threat-point tariffs)", -9e9, 31e9),
            BridgeStep("tariff", "tariff options", 4e9, 35e9),
            BridgeStep("partner_tariff", "partner tariffs on home exports", 0.0, 35e9),
            BridgeStep("purchases", "purchase commitments", -3e9, 32e9),
            BridgeStep("deal", "deal", None, 32e9)]


def bar_tops(ax) -> list[tuple[float, float]]:
    """(bottom, top) of each bar of an axes, left to right."""
    bars = sorted((p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)), key=lambda p: p.get_x())
    return [(round(b.get_y(), 6), round(b.get_y() + b.get_height(), 6)) for b in bars]


def test_bridge_has_a_no_deal_subtotal_and_no_empty_step(drawn):
    """40 -> (-9) -> no deal 31 -> +4 -> (partner tariffs: 0, left out) -> -3 -> deal 32."""
    svg, fig = drawn(charts.bridge_chart, bridge_rows(), "Home", "2024")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2024", "to no deal", "no deal", "tariff\noptions",
                                                            "purchases", "deal"]
    assert bar_tops(ax) == [(0, 40), (31, 40), (0, 31), (31, 35), (32, 35), (0, 32)]
    assert "no change from: partner tariffs" in ax.get_xlabel()
    assert small_texts(fig) == []


# -- comparison ---------------------------------------------------------------------------------

def test_comparison_shows_gains_over_no_deal_in_one_unit_with_the_instances_titles(drawn):
    """Two instances whose payoffs are about -196 bn: the chart shows each side's gain over no
    deal (0.97 and 0.96 bn: home's payoff less its no-deal payoff), in USD M in both panels
    (every difference is under half a billion), the legend by title."""
    from model.analyses.compare import Comparison, OutcomeRow
    from model.reporting.comparison import chart
    outcomes = [OutcomeRow("metric", "deficit", "bilateral deficit (negotiated goods less purchases)", "USD",
                           (29.49e9, 29.50e9), (0.0, 0.01e9)),
                OutcomeRow("metric", "home_payoff", "home party's payoff (weighted sum of metrics)", "USD",
                           (-196.45e9, -196.46e9), (0.0, -0.01e9)),
                OutcomeRow("metric", "partner_payoff", "partner's payoff (weighted sum of metrics)", "USD",
                           (1.39e9, 1.40e9), (0.0, 0.01e9))]
    c = Comparison(names=["toyota_2025", "july_2025"], files=["a.yaml", "b.yaml"], statuses=["optimal"] * 2,
                   inputs=[], outcomes=outcomes, titles=["Toyota's offer", "The July framework"],
                   parties=[{"home": "United States", "partner": "Japan"}] * 2,
                   no_deal=[{"deficit": 30.8e9, "home_payoff": -197.42e9, "partner_payoff": -0.3e9},
                            {"deficit": 30.8e9, "home_payoff": -197.42e9, "partner_payoff": -0.3e9}])
    svg, fig = drawn(chart, c)
    left, right = fig.axes
    labels = [t.get_text().replace("\n", " ") for t in left.get_yticklabels()]
    assert labels == ["bilateral deficit", "United States' gain over no deal (payoff)",
                      "Japan's gain over no deal (payoff)"]
    widths = sorted(round(p.get_width()) for p in left.patches)
    assert widths == sorted([29490, 29500, 970, 960, 1690, 1700])          # USD M: gains, not payoffs
    assert left.get_xlabel().startswith("USD M") and right.get_xlabel().startswith("USD M")
    assert sorted(round(p.get_width()) for p in right.patches) == [-10, 10, 10]
    texts = " ".join(svg_texts(svg))
    assert "Toyota's offer" in texts and "The July framework" in texts and "toyota_2025" not in texts
    assert "-196" not in texts and "−196" not in texts
    assert small_texts(fig) == []


# -- alternatives -------------------------------------------------------------------------------

def test_close_packages_read_against_package_1(drawn):
    """Gains of 1,686.5 M and 1,685.0 M: plotted as 0 and -1.5 against package 1 (USD M, the
    level stated in the label), ticks without float noise."""
    from model.results import Package
    pk = [Package(rank=k + 1, deficit=29.5e9, home_payoff=0, partner_payoff=0, home_gain=h, partner_gain=p,
                  verified=True, max_violation=0.0, equivalent=False, gives={}, levers={}, settings={})
          for k, (h, p) in enumerate([(968.1e6, 1686.5e6), (967.6e6, 1685.0e6)])]
    svg, fig = drawn(charts.packages_chart, pk, {"home": "United States", "partner": "Japan"})
    ax = fig.axes[0]
    assert [tuple(o) for o in ax.collections[0].get_offsets()] == [(0.0, 0.0), (pytest.approx(-0.5), pytest.approx(-1.5))]
    assert "against package 1's ($968.1 M)" in ax.get_xlabel().replace("\n", " ")
    assert "against package 1's ($1.69 bn)" in ax.get_ylabel().replace("\n", " ")
    ticks = [t for t in svg_texts(svg) if re.fullmatch(r"[−\-]?[\d.,]+", t)]
    assert ticks and all(len(t.replace("−", "").replace("-", "")) <= 5 for t in ticks), ticks
    assert outside_markers(fig) == []


# -- the tornado -------------------------------------------------------------------------------

def test_an_input_that_leaves_no_deal_runs_to_the_edge(drawn):
    """An input whose 95% end leaves no deal (its 5% end: 29.3 against 29.5) draws a hatched bar
    from the deal's deficit to the right edge, marked 'no deal at 95%'; another input swings
    28.8 to 30.2."""
    from model.results.sections import Sensitivity, SensitivityEnd
    rows = [Sensitivity("segments.suv.substitution", "SUVs: substitution elasticity", "1", 2.0, 29.5e9,
                        SensitivityEnd(0.05, 1.2, "optimal", 29.3e9), SensitivityEnd(0.95, 4.2, "infeasible", None),
                        None),
            Sensitivity("segments.suv.pass_through", "SUVs: pass through", "fraction", 0.5, 29.5e9,
                        SensitivityEnd(0.05, 0.3, "optimal", 28.8e9), SensitivityEnd(0.95, 0.8, "optimal", 30.2e9),
                        1.4e9)]
    svg, fig = drawn(charts.tornado_chart, rows)
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    assert lo < 28.8 and hi > 30.2
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1
    bar = hatched[0]
    assert bar.get_x() == pytest.approx(29.5) and bar.get_x() + bar.get_width() == pytest.approx(hi)
    assert "no deal at 95%" in svg_texts(svg)
    assert small_texts(fig) == []


# -- the frontier ------------------------------------------------------------------------------

def test_frontier_points_are_annotated_where_their_tariffs_change(drawn):
    """Three points: the first with cars at 15%, the next two at 10% (trucks at 50% throughout):
    the first and the second are annotated with the cars' option only, in the instance's words."""
    from model.results.sections import FrontierPoint

    def point(deficit, home, partner, cars):
        return FrontierPoint(deficit, 0.0, 0.0, home, partner, f"cars flat_{cars}; light_trucks flat_50", 0.0, True,
                             tariff_words=f"passenger cars: flat {cars}.0%; light trucks: flat 50.0%")
    points = [point(29.5e9, 0.97e9, 1.68e9, 15), point(29.7e9, 0.52e9, 2.47e9, 10), point(29.9e9, 0.35e9, 2.53e9, 10)]
    assert charts.tariff_changes(points) == {0: ["passenger cars: flat 15.0%"], 1: ["passenger cars: flat 10.0%"]}
    svg, fig = drawn(charts.frontier_chart, points, {}, {"home": "United States", "partner": "Japan"})
    texts = svg_texts(svg)
    assert texts.count("passenger cars: flat 15.0%") == 2 and texts.count("passenger cars: flat 10.0%") == 2
    assert not any("flat_" in t or "light trucks" in t for t in texts)
    assert outside_markers(fig) == [] and small_texts(fig) == []


def test_frontier_tariffs_in_the_instances_words():
    from model.analyses.frontier import tariff_words
    from model.data.instance import Deal
    from model.economics.loading import load
    inst = load(str(ROOT / "instances" / "smart_defaults.yaml"))
    deal = Deal(tariff={"cars": "flat_15", "light_trucks": "flat_50"})
    assert tariff_words(inst, deal) == "passenger cars: flat 15.0%; light trucks: flat 50.0%"


# -- from the command line: the levers' purchases, the grid's parameter -------------------------

@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    from model.cli import main
    from model.results import Results
    out = tmp_path_factory.mktemp("run") / "r"
    assert main(["run", str(ROOT / "instances" / "smart_defaults.yaml"), "--out", str(out)]) == 0
    return Results.from_dict(json.loads((out / "results.json").read_text())), out


def test_purchases_are_split_into_additional_and_the_rest(drawn, default_run):
    """Each purchase's deal bar: the additional part (value x additional share) solid, the rest
    hatched after it, and the label says both."""
    r, _ = default_run
    svg, fig = drawn(charts.levers_chart, r)
    ax = fig.axes[-1]
    ctx = {(c.name, c.index): c for c in r.lever_context}
    expected = []
    for lv in r.levers:
        c = ctx.get((lv.name, lv.index))
        if lv.name == "purchase" and c is not None and c.unit_value and lv.value:
            total = lv.value * c.unit_value / 1e9
            expected.append((round(total * (c.additional_share or 1.0), 6), round(total, 6)))
    assert expected and any(a < t for a, t in expected)           # the shipped instance has partly additional goods
    solid = {round(p.get_width(), 6) for p in ax.patches if not p.get_hatch()}
    hatched = {(round(p.get_x(), 6), round(p.get_x() + p.get_width(), 6)) for p in ax.patches if p.get_hatch()}
    for additional, total in expected:
        assert additional in solid
        if additional < total:
            assert (additional, total) in hatched
            assert f"{total:.2f} ({additional:.2f} additional)" in svg_texts(svg)


def test_the_grid_names_its_parameter_in_the_instances_words(tmp_path):
    from model.cli import main
    out = tmp_path / "g"
    assert main(["sweep", str(ROOT / "instances" / "smart_defaults.yaml"), "--param", "segments.suv.elasticity=-1,-1.5",
                 "--out", str(out)]) == 0
    sweep = json.loads((out / "results.json").read_text())["sweep"]
    assert sweep["param_labels"] == {"segments.suv.elasticity": "SUVs and crossovers: elasticity"}
    texts = svg_texts((out / "grid.svg").read_text())
    assert "SUVs and crossovers: elasticity" in texts
    assert not any("segments.suv" in t for t in texts)
    # the report's table by grid point: the label, then the path to set it with
    assert "| SUVs and crossovers: elasticity (`segments.suv.elasticity`) |" in (out / "report.md").read_text()
