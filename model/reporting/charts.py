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


def _payoff_axes(ax, xs: list[float], ys: list[float]) -> None:
    """Zero lines, and a symmetric log scale when values span several orders of magnitude (so
    a USD 1 million step and a USD 300 million switch both show)."""
    ax.axhline(0, color="#888", lw=0.8, zorder=1)
    ax.axvline(0, color="#888", lw=0.8, zorder=1)
    for axis, values, setter in (("x", xs, ax.set_xscale), ("y", ys, ax.set_yscale)):
        nonzero = [abs(v) for v in values if abs(v) > 1e-9]
        if nonzero and max(nonzero) / min(nonzero) > 1e3:
            setter("symlog", linthresh=max(nonzero) * 1e-3, linscale=0.5)
    ax.grid(alpha=0.3)


TRADE_STYLE = {"integrative": ("*", "#1e8449", 160), "win-win": ("P", "#1e8449", 90),
               "distributive": ("o", "#1f5f8b", 45), "costly": ("X", "#b03a2e", 70),
               "reverse": ("v", "#7d3c98", 55), "lose-lose": ("x", "#b03a2e", 55), "no effect": (".", "#888", 30)}


def concession_chart(rows: list[dict], parties: dict[str, str]) -> str:
    """What each concession is worth: value to home (x, USD M) against value to the partner
    (y, USD M), one point per priced lever; the shape says how the step splits between the
    sides (integrative: cheap for the giver, valuable to the receiver)."""
    fig, ax = plt.subplots(figsize=(8, 5.5))
    priced = [r for r in rows if r.get("home_value") is not None]
    xs = [r["home_value"] / 1e6 for r in priced]
    ys = [r["partner_value"] / 1e6 for r in priced]
    for trade, (marker, color, size) in TRADE_STYLE.items():
        pts = [(x, y) for x, y, r in zip(xs, ys, priced) if r["trade"] == trade]
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, color=color, s=size, label=trade,
                       zorder=3)
    # Name the largest points (by the sum of both values), at most a dozen, so the chart stays legible.
    named = sorted(range(len(priced)), key=lambda i: -(abs(xs[i]) + abs(ys[i])))[:10]
    for n, i in enumerate(named):
        ax.annotate(priced[i]["lever"].split(".", 1)[-1][:28], (xs[i], ys[i]), fontsize=7,
                    xytext=(4, 4 if n % 2 else -9), textcoords="offset points")
    _payoff_axes(ax, xs, ys)
    ax.set_xlabel(f"value to {parties['home']} of one step of the concession (USD M)")
    ax.set_ylabel(f"value to {parties['partner']} (USD M)")
    ax.set_title("What each concession is worth to each side (one point per lever)")
    if priced:
        ax.legend(fontsize=8, loc="best")
    return to_svg(fig)


def packages_chart(packages: list[dict], parties: dict[str, str]) -> str:
    """Alternative packages in payoff space: each side's gain over no deal (USD bn); equivalent
    offers (equally good for home, differing most for the partner) are starred."""
    fig, ax = plt.subplots(figsize=(7.5, 5))
    xs = [p["home_gain"] / 1e9 for p in packages]
    ys = [p["partner_gain"] / 1e9 for p in packages]
    ax.scatter(xs, ys, color="#1f5f8b", s=40, zorder=2, label="package (verified deal)")
    eq = [(x, y) for x, y, p in zip(xs, ys, packages) if p["equivalent"]]
    if eq:
        ax.scatter([p[0] for p in eq], [p[1] for p in eq], marker="*", s=220, color="#1e8449", zorder=3,
                   label="equivalent offers")
    for x, y, p in zip(xs, ys, packages):
        ax.annotate(str(p["rank"]), (x, y), fontsize=8, xytext=(5, 4), textcoords="offset points")
    ax.set_xlabel(f"{parties['home']}'s gain over no deal (USD bn)")
    ax.set_ylabel(f"{parties['partner']}'s gain over no deal (USD bn)")
    ax.set_title("Alternative packages in payoff space (numbers: rank by deficit)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    ax.ticklabel_format(useOffset=False)
    return to_svg(fig)
