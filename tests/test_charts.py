"""Charts a reader can use (issue 26 item 4), checked without a browser: the figure each chart
function draws is caught as it is saved (`charts.to_svg`), and its axes, markers and texts read
back. No clipped point (every marker wholly inside its axes' frame), plain labels from the
instance's own names (no raw ids), marked or linear axes, text of at least 9 pt (12 px as the
pages draw charts: 1 pt of the SVG = 4/3 px)."""
from __future__ import annotations

import math
import re

import matplotlib.text
import pytest

from model.reporting import charts
from model.results.sections import ConcessionValue

MIN_PT = 9.0


@pytest.fixture
def drawn(monkeypatch):
    """Call a chart function; returns (its SVG text, the figure it drew)."""
    figures = []
    real = charts.to_svg

    def keep(fig):
        figures.append(fig)
        return real(fig)
    monkeypatch.setattr(charts, "to_svg", keep)

    def draw(fn, *args, **kw):
        svg = fn(*args, **kw)
        return svg, figures[-1]
    return draw


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
