"""Charts as SVG text (matplotlib), for reports and their html pages.

Deterministic output: no dates in the metadata and a fixed hash salt for element ids,
so the same results give the same file. Text is shown as written: matplotlib's mathtext
is off (`text.parse_math`), so a label like 'US$ and HK$' or '$\\x$' is drawn literally
instead of being parsed as a formula (or failing to parse).
"""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({"svg.hashsalt": "negotiation-model", "font.size": 10, "svg.fonttype": "none",
                     "text.parse_math": False, "text.usetex": False})


def to_svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def frontier_chart(points: list[dict], marks: dict[str, dict], parties: dict[str, str]) -> str:
    """The Pareto frontier: deficit (x, USD bn) against the partner's payoff gain over no deal
    (y, USD bn). `marks` names special deals ('min-deficit deal', 'Nash deal', 'fixed deal')."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    xs = [p["deficit"] / 1e9 for p in points]
    ys = [p["partner_gain"] / 1e9 for p in points]
    ax.plot(xs, ys, ":o", color="#1f5f8b", label="Pareto frontier (each point a verified deal)", zorder=2)
    styles = {"min-deficit deal": ("s", "#b03a2e"), "Nash deal": ("D", "#1e8449"), "fixed deal": ("*", "#7d3c98")}
    for name, p in marks.items():
        marker, color = styles.get(name, ("^", "black"))
        ax.scatter([p["deficit"] / 1e9], [p["partner_gain"] / 1e9], marker=marker, s=140 if marker == "*" else 70,
                   color=color, label=name, zorder=3)
    ax.set_xlabel(f"{parties['home']} bilateral deficit (USD bn a year)")
    ax.set_ylabel(f"{parties['partner']}'s payoff gain over no deal (USD bn)")
    ax.set_title("Where the deals sit: the zone of possible agreement")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return to_svg(fig)


def sweep_chart(deficits: list[float], levers: list[tuple[str, float]], title: str) -> str:
    """Robustness of a deal: the distribution of the deficit over the draws (left) and how
    often each lever is part of the deal (right)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 1.3]})
    if deficits:
        left.hist([d / 1e9 for d in deficits], bins=min(40, max(5, len(deficits) // 10)), color="#1f5f8b")
    left.set_xlabel("deficit with the deal (USD bn a year)")
    left.set_ylabel("draws")
    left.grid(alpha=0.3)
    shown = levers[:15]
    right.barh([label[:55] for label, _ in shown][::-1], [share * 100 for _, share in shown][::-1], color="#1e8449")
    right.set_xlabel("share of draws in which the lever is used (%)")
    right.set_xlim(0, 100)
    right.tick_params(axis="y", labelsize=7)
    fig.suptitle(title, fontsize=10)
    return to_svg(fig)


SHORT_STEP = {"calibration_year": "calibration\nyear", "no_deal": "no deal", "tariff": "tariff\noptions",
              "commitments": "dealer\ncommitments", "shift": "production\nshift", "purchases": "purchases",
              "deal": "deal"}


def bridge_chart(rows: list[dict], home: str) -> str:
    """A waterfall of the deficit: calibration year, each cause's change, and the deal."""
    fig, ax = plt.subplots(figsize=(9, 4.2))
    labels, bottoms, heights, colors = [], [], [], []
    for r in rows:
        labels.append(SHORT_STEP.get(r["step"], r["label"]))
        if r["change"] is None:                      # a level: calibration year or deal
            bottoms.append(0.0)
            heights.append(r["level"] / 1e9)
            colors.append("#1f5f8b")
        else:
            start = (r["level"] - r["change"]) / 1e9
            bottoms.append(min(start, r["level"] / 1e9))
            heights.append(abs(r["change"]) / 1e9)
            colors.append("#b03a2e" if r["change"] > 0 else "#1e8449")
    ax.bar(range(len(rows)), heights, bottom=bottoms, color=colors)
    for i, r in enumerate(rows):
        v = r["level"] if r["change"] is None else r["change"]
        top = bottoms[i] + heights[i]
        ax.text(i, top + 0.3, f"{v / 1e9:+.2f}" if r["change"] is not None else f"{v / 1e9:.2f}",
                ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(rows)), labels, fontsize=8)
    ax.set_ylabel(f"{home} deficit (USD bn a year)")
    ax.set_title("Deficit bridge: calibration year to no deal to deal (red raises it, green lowers it)")
    ax.grid(axis="y", alpha=0.3)
    return to_svg(fig)
