"""Charts as SVG text (matplotlib), for reports and their html pages.

`report_charts(results)` is the one list of a report's charts, in page order: report.html
inlines them, report.md links them, and the report directory holds each as `<name>.svg`.
A chart is a function of plain data (results and their typed sections) that returns SVG text.

Readable by construction: long labels are wrapped, never cut; legends sit outside the
plotting area; figures grow with the number of bars; the saved box is the tight box of
everything drawn plus a margin (`PAD`), so nothing is clipped (the browser test checks
every text element against its SVG's viewBox). Points are not joined where they are
separate solutions (the frontier).

Deterministic output: no dates in the metadata and a fixed hash salt for element ids,
so the same results give the same file. Text is shown as written: matplotlib's mathtext
is off (`text.parse_math`), so a label like 'US$ and HK$' or '$\\x$' is drawn literally
instead of being parsed as a formula (or failing to parse).
"""
from __future__ import annotations

import io
import textwrap
import warnings

import matplotlib
import matplotlib.patches
import matplotlib.text
import matplotlib.ticker
from matplotlib.figure import Figure

from model.reporting.assumption_rank_section import CHART_TITLE as ASSUMPTIONS_TITLE
from model.reporting.assumption_rank_section import brief, moving
from model.reporting.words import calibration_name, possessive, short
from model.results import LeverContext, OfferLine, Package, PolicyCurve
from model.text import visible

# Figures are made without pyplot (no global figure manager, no GUI backend, 0.3 s less to import),
# and drawn by the SVG backend that savefig picks for format="svg".
matplotlib.rcParams.update({"svg.hashsalt": "negotiation-model", "font.size": 10, "svg.fonttype": "none",
                            "legend.fontsize": 9, "xtick.labelsize": 9, "ytick.labelsize": 9,
                     "text.parse_math": False, "text.usetex": False, "font.family": "DejaVu Sans"})

PAD = 0.25                 # inches of margin around everything drawn (browser fonts may run a little wider)
BLUE, GREEN, RED, GREY, PURPLE, ORANGE = "#1f5f8b", "#1e8449", "#b03a2e", "#8c8c8c", "#7d3c98", "#d68910"
MAX_BARS = 14              # bars per panel; the rest are in the tables and CSV files
WRAP = 30                  # characters per line of a bar's label


def to_svg(fig) -> str:
    """The figure as SVG text. Every text in it is first made drawable (`text.visible`):
    control characters, which no font has and XML cannot hold, become escapes (`\\x1b`)
    instead of a matplotlib warning on stderr, a crash, or a file no browser opens."""
    def drawable(text: str) -> str:
        return visible(text).replace("\t", " ")
    for t in fig.findobj(matplotlib.text.Text):
        if drawable(t.get_text()) != t.get_text():
            t.set_text(drawable(t.get_text()))
    for ax in fig.axes:               # tick labels given as text are set again from their formatter when drawn
        for axis in (ax.xaxis, ax.yaxis):
            for fmt in (axis.get_major_formatter(), axis.get_minor_formatter()):
                if isinstance(fmt, matplotlib.ticker.FixedFormatter):
                    fmt.seq = [drawable(str(x)) for x in fmt.seq]
                elif isinstance(fmt, matplotlib.ticker.FuncFormatter):       # labels given with set_*ticks
                    fmt.func = (lambda f: lambda x, pos=None: drawable(str(f(x, pos))))(fmt.func)
    buf = io.StringIO()
    with warnings.catch_warnings():
        # A character DejaVu Sans lacks (Japanese, say) is measured as a box, and matplotlib
        # warns on stderr; the SVG keeps it as text (svg.fonttype none), drawn by the reader's fonts.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
        fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=PAD, metadata={"Date": None})
    return buf.getvalue()


def _subplots(*grid, figsize: tuple[float, float], **kw):
    """A new figure and its axes, as pyplot.subplots gives them."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(*grid, **kw)


def wrap(text: str, width: int = WRAP, lines: int = 3) -> str:
    """`text` on at most `lines` lines of about `width` characters (words kept whole; the last
    line takes what remains); control characters, which no font can draw, as escapes
    (`text.visible`, before wrapping, so that the lines are measured as drawn)."""
    parts = textwrap.wrap(visible(text, one_line=True), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines - 1] + [" ".join(parts[lines - 1:])]
    return "\n".join(parts)


def _difference(v: float | None, reference: float | None) -> float:
    """v - reference; 0 where either is missing (an instance without a deal draws no bar)."""
    return 0.0 if v is None or reference is None else v - reference


def plain_tick(x: float) -> str:
    """A tick's number with thousands separators and no trailing zeros: 30,000, 2.5, -0.25, 0."""
    text = f"{x:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def bn(v: float | None) -> float:
    return 0.0 if v is None else v / 1e9


# -- the registry -----------------------------------------------------------------------

TITLES = {"bridge": "Deficit bridge: calibration year to no deal to the deal, by cause",
          "levers": "The levers: the deal against no deal and the calibration year",
          "frontier": "The frontier: the deficit against each side's gain over no deal",
          "sweep": "The deficit across the draws",
          "sweep_levers": "Levers that vary across the draws",
          "tornado": "What moves the deficit: each uncertain input alone",
          "grid": "The deficit at each grid point",
          "deal_share": "The share of draws with a deal along each input's range",
          "concession_values": "What each concession is worth to each side",
          "policy_curve": "The deal along one lever: the balances and each side's gain",
          "assumptions": ASSUMPTIONS_TITLE,
          "over_time": "The deficit year by year: the deal against no deal"}


def report_charts(r) -> dict[str, str]:
    """Every chart of a report, name -> SVG text, in the order the page shows them."""
    out: dict[str, str] = {}
    home = r.instance.parties["home"]
    if r.sweep is not None or r.policy_curve is not None:     # a sweep's report: its draws and curve only
        return _sweep_charts(r)
    if r.bridge:
        out["bridge"] = bridge_chart(r.bridge, home, calibration_name(r))
    if r.has_deal and r.levers:
        svg = levers_chart(r)
        if svg:
            out["levers"] = svg
    f = r.frontier
    if f and f.status == "ok" and f.points:
        out["frontier"] = frontier_chart(f.points, f.marks, r.instance.parties)
    values = r.concession_values
    if values and any(row.status == "ok" for row in values.rows):
        out["concession_values"] = concession_chart(values.rows, r.instance.parties)
    rank = r.assumption_rank
    if rank is not None and moving(rank):
        out["assumptions"] = assumption_chart(rank)
    ot = r.over_time
    if ot is not None and r.has_deal:
        svg = over_time_chart(ot)
        if svg:
            out["over_time"] = svg
    return out


def _sweep_charts(r) -> dict[str, str]:
    out: dict[str, str] = {}
    if r.policy_curve is not None and r.policy_curve.points:
        out["policy_curve"] = policy_curve_chart(r.policy_curve, r.instance.parties)
    s = r.sweep
    if s:
        rb = s.robustness
        if "deal_share" in sweep_chart_names(r) and rb is not None:
            out["deal_share"] = deal_share_chart(rb)
        if s.histogram:
            out["sweep"] = sweep_chart(s.histogram, f"{s.draws:,} draws", s.draws - s.histogram.draws)
        svg = sweep_levers_chart(s)
        if svg:
            out["sweep_levers"] = svg
        if s.sensitivity:
            svg = tornado_chart(s.sensitivity)
            if svg:
                out["tornado"] = svg
        if s.grid and len(s.params) == 1:
            path = next(iter(s.params))
            svg = grid_chart(s.grid, path, s.param_labels.get(path, ""), s.param_units.get(path, ""))
            if svg:
                out["grid"] = svg
    return out


# -- the deficit bridge -------------------------------------------------------------------

SHORT_STEP = {"calibration_year": "calibration year", "no_deal": "to no deal", "no_deal_level": "no deal",
              "tariff": "tariff options",
              "partner_tariff": "partner tariffs", "commitments": "dealer commitments and NTB relief",
              "shift": "production shift", "purchases": "purchases", "deal": "deal"}


EMPTY_STEP = 1e-6           # a cause's change under this share of the largest level is no step (not drawn)


def bridge_steps(rows: list) -> list:
    """The bridge's bars: each row, without causes that change nothing (an empty step such as
    'partner tariffs 0'), and with the no-deal level as a subtotal after the step to no deal."""
    from model.results.sections import BridgeStep
    scale = max((abs(r.level) for r in rows if r.level is not None), default=1.0) or 1.0
    out = []
    for r in rows:
        if r.change is not None and abs(r.change) <= EMPTY_STEP * scale and r.step not in ("no_deal",):
            continue
        out.append(r)
        if r.step == "no_deal" and r.change is not None:
            out.append(BridgeStep("no_deal_level", "no deal", None, r.level))
    return out


def bridge_chart(rows: list, home: str, year: str = "calibration year") -> str:
    """A waterfall of the deficit: the calibration year, the change to no deal and no deal's
    level (a subtotal), each cause's change from there, and the deal. Causes that change
    nothing are left out (and said under the chart)."""
    empty = [SHORT_STEP.get(r.step, r.label) for r in rows if r not in bridge_steps(rows) and r.change is not None]
    rows = bridge_steps(rows)
    n = len(rows)
    fig, ax = _subplots(figsize=(max(7.5, 1.05 * n), 4.4))
    labels, bottoms, heights, colors = [], [], [], []
    for r in rows:
        name = year if r.step == "calibration_year" and year != "calibration year" else \
            SHORT_STEP.get(r.step, r.label)
        labels.append(wrap(name, 12))
        if r.change is None:                      # a level: calibration year, no deal (a subtotal) or deal
            bottoms.append(0.0)
            heights.append(bn(r.level))
            colors.append(GREY if r.step == "no_deal_level" else BLUE)
        else:
            start = bn(r.level - r.change)
            bottoms.append(min(start, bn(r.level)))
            heights.append(abs(bn(r.change)))
            colors.append(RED if r.change > 0 else GREEN)
    ax.bar(range(n), heights, bottom=bottoms, color=colors, width=0.7)
    top = max(b + h for b, h in zip(bottoms, heights)) or 1.0
    for i, r in enumerate(rows):
        v = bn(r.level if r.change is None else r.change)
        text = f"{v:.2f}" if r.change is None else ("0" if abs(v) < 0.005 else f"{v:+.2f}")
        ax.text(i, bottoms[i] + heights[i] + 0.015 * top, text, ha="center", va="bottom", fontsize=9)
    ax.set_ylim(min(0.0, min(bottoms)), top * 1.12)
    ax.set_xticks(range(n), labels, fontsize=9)
    ax.set_ylabel(wrap(f"{home} deficit in the negotiated goods (USD bn a year)", 40))
    ax.set_title(wrap("The deficit from the calibration year to no deal (grey) and on to the deal, by cause "
                      "(USD bn): red raises it, green lowers it", 90), fontsize=9, loc="left")
    if empty:
        ax.set_xlabel(wrap(f"no change from: {', '.join(empty)}", 90), fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return to_svg(fig)


# -- the levers against no deal and the calibration year -------------------------------------

def lever_series(r) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(tariffs, volumes, purchases) as [(label, calibration year, no deal, deal)]: the tariff
    actually paid on each line; the volume through each dealer network and each maker's shift
    (summed over segments); the value of each purchase (USD), with a fifth item: the share of
    it that is additional (would not have been bought from home anyway)."""
    ctx = {(c.name, c.index): c for c in r.lever_context}
    tariffs, purchases = [], []
    volumes: dict[tuple[str, str], tuple[str, float, float, float]] = {}
    for lv in r.levers:
        c = ctx.get((lv.name, lv.index)) or LeverContext(lv.name, lv.index, "", "")
        if lv.name in ("tariff", "partner_tariff"):
            label = c.group or lv.label
            if lv.name == "partner_tariff":
                label = f"{r.instance.parties['partner']}: {label}"
            tariffs.append((label, c.baseline, c.no_deal, lv.value))
        elif lv.name in ("commitment", "production_shift") and lv.unit not in ("USD", "fraction", "yes/no"):
            group = short(c.group or lv.label)
            key = (lv.name, group)
            label = group if lv.name == "commitment" else f"{group}: built in {r.instance.parties['home']}"
            base, nd, deal = volumes.get(key, (label, 0.0, 0.0, 0.0))[1:]
            volumes[key] = (label, base + (c.baseline or 0.0), nd + (c.no_deal or 0.0),
                            deal + lv.value)
        elif lv.name == "purchase" and c.unit_value is not None:
            uv = c.unit_value
            share = 1.0 if c.additional_share is None else c.additional_share
            purchases.append((short(c.group or lv.label), 0.0, (c.no_deal or 0.0) * uv, lv.value * uv, share))
    return tariffs, list(volumes.values()), purchases


def levers_chart(r) -> str | None:
    """Horizontal bars, one panel per kind: tariff per line (%), volume per dealer network and
    maker (vehicles a year), purchases (USD bn a year); a bar each for the calibration year, no
    deal and the deal (a series that is zero throughout a panel is left out, and said). A
    purchase's bar is split: the additional part (which lowers the deficit) solid, the rest
    (bought from home anyway) hatched and pale."""
    tariffs, volumes, purchases = lever_series(r)
    volumes = [v for v in volumes if any(x for x in v[1:])]
    purchases = [p for p in purchases if any(x for x in p[1:4])]
    year = calibration_name(r)
    year = year if year != "the calibration year" else "calibration year"
    panels = [(rows, title, unit, scale) for rows, title, unit, scale in (
        (tariffs[:MAX_BARS], "Tariff actually paid on each line", "%", 100.0),
        (sorted(volumes, key=lambda x: -x[3])[:MAX_BARS], "Vehicles a year through each dealer network, and built "
         f"in {r.instance.parties['home']} by each maker", "vehicles a year", 1.0),
        (sorted(purchases, key=lambda x: -x[3])[:MAX_BARS], "Purchases: solid, the additional part (it lowers the "
         "deficit); hatched, what would have been bought from home anyway", "USD bn a year", 1e-9)) if rows]
    if not panels:
        return None
    heights = [0.5 * len(rows) * 1.6 + 1.1 for rows, *_ in panels]
    fig, axes = _subplots(len(panels), 1, figsize=(8.5, sum(heights) + 0.6),
                             gridspec_kw={"height_ratios": heights, "hspace": 0.9}, squeeze=False)
    series = [(year, GREY), ("no deal", RED), ("deal", BLUE)]
    for ax, (rows, title, unit, scale) in zip(axes[:, 0], panels):
        shown = [(k, name, color) for k, (name, color) in enumerate(series)
                 if any(abs(row[k + 1] or 0.0) > 0 for row in rows) or name == "deal"]
        left_out = [name for k, (name, _) in enumerate(series) if all(k != j for j, _, _ in shown)]
        width = 0.8 / len(shown)
        top = max((row[k + 1] or 0.0) * scale for row in rows for k, _, _ in shown) or 1.0
        split = len(rows[0]) > 4                  # purchases: the additional part and the rest
        for slot, (k, name, color) in enumerate(shown):
            ys = [y + (slot - (len(shown) - 1) / 2) * width for y in range(len(rows))]
            vals = [(row[k + 1] or 0.0) * scale for row in rows]
            if split:
                extra = [v * row[4] for v, row in zip(vals, rows)]
                ax.barh(ys, extra, height=width * 0.95, color=color, label=name)
                ax.barh(ys, [v - e for v, e in zip(vals, extra)], left=extra, height=width * 0.95, color=color,
                        alpha=0.35, hatch="//", edgecolor="white", linewidth=0)
            else:
                ax.barh(ys, vals, height=width * 0.95, color=color, label=name)
            if name == "deal":
                for y, v, row in zip(ys, vals, rows):
                    text = _short_number(v, unit)
                    if split and row[4] < 1:
                        text += f" ({_short_number(v * row[4], unit)} additional)"
                    ax.text(v + 0.01 * top, y, text, va="center", fontsize=9)
        ax.set_yticks(range(len(rows)), [wrap(row[0]) for row in rows], fontsize=9)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, top * (1.45 if split else 1.18))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:,.0f}" if x >= 10 or x == 0
                                                                     else f"{x:,.1f}"))
        ax.set_xlabel(unit + (f" (0 {' and '.join(left_out)})" if left_out else ""), fontsize=9)
        ax.set_title(wrap(title, 80), fontsize=9, loc="left")
        ax.grid(axis="x", alpha=0.3)
        ax.set_axisbelow(True)
    handles = [matplotlib.patches.Patch(color=color, label=name) for name, color in series]
    fig.legend(handles=handles, loc="upper center", ncol=3, fontsize=9, frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    return to_svg(fig)


def _short_number(v: float, unit: str) -> str:
    if unit == "%":
        return f"{v:.1f}%"
    if unit.startswith("USD bn"):
        return f"{v:.2f}"
    return f"{v:,.0f}"


# -- the frontier ---------------------------------------------------------------------------

MARK_STYLES = {"min-deficit deal": ("s", RED), "Nash deal": ("D", GREEN)}


def tariff_changes(points: list) -> dict[int, list[str]]:
    """{point's position: its tariffs} for the first point (by deficit) of each run of points
    with the same tariffs, naming only the lines whose option differs between points: in the
    instance's words (the point's `tariff_words`) where they pair one to one with its
    `tariffs`, else as the ids."""
    def parts(p) -> list[tuple[str, str]]:
        ids = [t.strip() for t in p.tariffs.split(";") if t.strip()]
        words = [t.strip() for t in (getattr(p, "tariff_words", "") or "").split("; ") if t.strip()]
        shown = words if len(words) == len(ids) else ids
        return [(i.partition(" ")[0], w) for i, w in zip(ids, shown)]
    choices = [parts(p) for p in points]
    lines = list(dict.fromkeys(line for c in choices for line, _ in c))
    ids = [{line: raw for line, raw in zip([x for x, _ in c], [t.strip() for t in p.tariffs.split(";") if t.strip()])}
           for c, p in zip(choices, points)]
    varies = [line for line in lines if len({i.get(line) for i in ids}) > 1]
    out: dict[int, list[str]] = {}
    last = None
    for i in sorted(range(len(points)), key=lambda i: points[i].deficit):
        now = [w for line, w in choices[i] if line in varies]
        if now and now != last:
            out[i] = now
        last = now
    return out


def frontier_chart(points: list, marks: dict, parties: dict[str, str]) -> str:
    """Two panels of the same verified deals, each a separate point (no line: the deals
    between them are not all possible): the deficit against the partner's gain over no deal,
    and the home party's gain against the partner's. The min-deficit, Nash and fixed-terms
    deals are marked and named in the legend. Where the tariffs change along the frontier, the
    first point with each set of tariffs is annotated with them (`tariff_changes`)."""
    fig, (left, right) = _subplots(1, 2, figsize=(10, 4.4), gridspec_kw={"wspace": 0.35})
    home, partner = parties["home"], parties["partner"]
    kw = dict(color=BLUE, s=28, zorder=2, label="frontier deal (each verified)")
    left.scatter([bn(p.deficit) for p in points], [bn(p.partner_gain) for p in points], **kw)
    right.scatter([bn(p.home_gain) for p in points], [bn(p.partner_gain) for p in points], **kw)
    for name, p in marks.items():
        marker, color = MARK_STYLES.get(name, ("*", PURPLE))
        size = 160 if marker == "*" else 70
        style = dict(marker=marker, s=size, facecolors="none" if marker != "*" else color, edgecolors=color,
                     linewidths=1.6, zorder=3, label=name)
        left.scatter([bn(p.deficit)], [bn(p.partner_gain)], **style)
        right.scatter([bn(p.home_gain)], [bn(p.partner_gain)], **style)
    left.set_xlabel(wrap(f"{home} bilateral deficit (USD bn a year)", 45))
    right.set_xlabel(wrap(f"{possessive(home)} gain over no deal (USD bn)", 45))
    left.set_title(wrap(f"The deficit against {possessive(partner)} gain", 50), fontsize=9, loc="left")
    right.set_title("Both sides' gains over no deal", fontsize=9, loc="left")
    for ax in (left, right):
        ax.set_ylabel(wrap(f"{possessive(partner)} gain over no deal (USD bn)", 40))
        ax.grid(alpha=0.3)
    for ax in (left, right):
        ax.margins(0.12)
        ax.set_xlim(ax.get_xlim())
        ax.set_ylim(ax.get_ylim())
    for i, text in tariff_changes(points).items():
        p = points[i]
        for ax, (x, y) in ((left, (bn(p.deficit), bn(p.partner_gain))), (right, (bn(p.home_gain), bn(p.partner_gain)))):
            x0, x1 = ax.get_xlim()                          # the text goes toward the middle of the axes
            third = min(2, max(0, int(3 * (x - x0) / (x1 - x0))))
            upper_half = y > sum(ax.get_ylim()) / 2
            ax.annotate("\n".join(wrap(t, 28, 2) for t in text), (x, y), fontsize=9,
                        xytext=((8, 0, -8)[third], -10 if upper_half else 10),
                        textcoords="offset points", ha=("left", "center", "right")[third],
                        va="top" if upper_half else "bottom", color="#333",
                        arrowprops={"arrowstyle": "-", "color": GREY, "lw": 0.6})
    handles, names = left.get_legend_handles_labels()
    fig.legend(handles, [wrap(n, 40) for n in names], loc="upper center", ncol=min(4, len(names)), fontsize=9,
               frameon=False, bbox_to_anchor=(0.5, -0.02))
    return to_svg(fig)


# -- sweeps ---------------------------------------------------------------------------------

def sweep_chart_names(r) -> set[str]:
    """The sweep charts that depend on deal or no deal: 'deal_share' when some draws give a deal
    and some do not, and some input's range was cut into bins."""
    s = getattr(r, "sweep", None)
    rb = s.robustness if s else None
    if rb is None or not rb.inputs or not 0 < rb.deals < rb.draws:
        return set()
    return {"deal_share"} if any(len(x.bins) > 1 for x in rb.inputs) else set()


MAX_PANELS = 6             # inputs in the chart of the share with a deal, most separating first


def deal_share_chart(rb) -> str:
    """For each input (most separating first), its range cut into equal bins: the share of the
    draws in each bin that give a deal (bars, with deals / draws above), the overall share dashed.
    Bins without draws are left empty (no bar, '0 draws')."""
    inputs = [x for x in rb.inputs if len(x.bins) > 1][:MAX_PANELS]
    cols = 2 if len(inputs) > 1 else 1
    rows = (len(inputs) + cols - 1) // cols
    fig, axes = _subplots(rows, cols, figsize=(4.4 * cols, 2.3 * rows + 0.5), squeeze=False,
                          gridspec_kw={"hspace": 0.75, "wspace": 0.3})
    overall = rb.deals / rb.draws * 100
    for k, x in enumerate(inputs):
        ax = axes[k // cols, k % cols]
        centers = [(b.low + b.high) / 2 for b in x.bins]
        width = (x.bins[0].high - x.bins[0].low) * 0.9
        shares = [b.deals / b.draws * 100 if b.draws else 0.0 for b in x.bins]
        ax.bar(centers, shares, width=width, color=BLUE)
        for c, b, h in zip(centers, x.bins, shares):
            ax.text(c, h + 3, f"{b.deals}/{b.draws}", ha="center", va="bottom", fontsize=9)
        ax.axhline(overall, color=GREY, linestyle="--", linewidth=0.8)
        ax.set_ylim(0, 118)
        ax.set_xlim(x.bins[0].low, x.bins[-1].high)
        ax.set_ylabel("draws with a deal (%)", fontsize=9)
        unit = "" if x.unit in ("1", "") else f" ({x.unit})"
        ax.set_xlabel(wrap(f"{x.label}{unit}", 50, 2), fontsize=9)
        ax.tick_params(labelsize=9)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: _num(v)))
    for k in range(len(inputs), rows * cols):
        axes[k // cols, k % cols].set_visible(False)
    fig.suptitle(f"{rb.deals:,} of {rb.draws:,} draws give a deal ({overall:.0f}%, dashed); {rb.no_deal:,} without. "
                 "Each bar: a part of the input's range, deals / draws above it", fontsize=9, x=0.02, ha="left")
    return to_svg(fig)


def sweep_chart(histogram, subtitle: str, without: int = 0) -> str:
    """The deficit's distribution over the draws that give a deal; the draws without one counted
    in the title (they have no deficit to place)."""
    fig, ax = _subplots(figsize=(7.5, 3.6))
    edges = [bn(e) for e in histogram.edges]
    widths = [b - a for a, b in zip(edges, edges[1:])]
    ax.bar(edges[:-1], histogram.counts, width=widths, align="edge", color=BLUE, edgecolor="white")
    ax.set_xlabel("deficit with the deal (USD bn a year)")
    ax.set_ylabel("draws")
    none = f"; {without:,} draws without a deal are not on this axis" if without else ""
    ax.set_title(f"{histogram.draws:,} draws with a deal ({subtitle} in all{none})", fontsize=9, loc="left")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return to_svg(fig)


VARIES = 0.005     # a lever varies across draws when its share is above this and below 1 minus it


def varying(summary) -> tuple[list[tuple[str, list[tuple[str, float]]]], list[tuple[str, float]]]:
    """(option levers whose choice varies: [(line label, [(option, share)])], other levers used
    in some draws but not all: [(label, share)]), from a sweep summary's `levers`."""
    lines: dict[str, list] = {}
    others = []
    for x in summary.levers:
        if x.choice not in ("on", "used"):
            line, _, option = x.label.rpartition(": ")
            lines.setdefault(x.lever, [line, []])[1].append((option, x.share))
        elif VARIES < x.share < 1 - VARIES:
            others.append((x.label, x.share))
    options = [(label, shares) for label, shares in lines.values() if len(shares) > 1]
    return options, others


def sweep_levers_chart(summary) -> str | None:
    """Which levers change across the draws: for each tariff line with more than one option
    chosen, the share of deals choosing each (stacked to 100%, one colour per option, named
    in the legend); for other levers used in some deals but not all, the share that use them."""
    options, others = varying(summary)
    others = sorted(others, key=lambda t: -min(t[1], 1 - t[1]))[:MAX_BARS]
    options = options[:MAX_BARS]
    if not options and not others:
        return None
    heights = [0.55 * len(p) + 1.4 for p in (options, others) if p]
    fig, axes = _subplots(len(heights), 1, figsize=(8.5, sum(heights) + 0.8), squeeze=False,
                             gridspec_kw={"height_ratios": heights, "hspace": 0.9})
    k = 0
    palette = [BLUE, ORANGE, GREEN, PURPLE, RED, GREY]
    if options:
        ax = axes[k, 0]
        k += 1
        colour: dict[str, str] = {}
        for y, (line, shares) in enumerate(options):
            left = 0.0
            for option, share in sorted(shares, key=lambda t: -t[1]):
                c = colour.setdefault(option, palette[len(colour) % len(palette)])
                ax.barh(y, share * 100, left=left, color=c, height=0.6, edgecolor="white")
                if share >= 0.1:
                    ax.text(left + share * 50, y, f"{share:.0%}", ha="center", va="center", fontsize=9, color="white")
                left += share * 100
        ax.set_yticks(range(len(options)), [wrap(line) for line, _ in options], fontsize=9)
        ax.set_xlim(0, 100)
        ax.set_ylim(len(options) - 0.5, -0.5)
        ax.set_xlabel(f"share of the {summary.verified:,} deals choosing each option (%); "
                      f"{summary.draws - summary.verified:,} of the {summary.draws:,} draws gave none", fontsize=9)
        ax.set_title("Tariff options chosen across the draws", fontsize=9, loc="left")
        handles = [matplotlib.patches.Patch(color=c, label=wrap(o, 30)) for o, c in colour.items()]
        ax.legend(handles=handles, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.35),
                  ncol=min(4, len(handles)), frameon=False)
    if others:
        ax = axes[k, 0]
        ax.barh(range(len(others)), [s * 100 for _, s in others], color=GREEN, height=0.6)
        for y, (_, s_) in enumerate(others):
            ax.text(s_ * 100 + 1, y, f"{s_:.0%}", va="center", fontsize=9)
        ax.set_yticks(range(len(others)), [wrap(label) for label, _ in others], fontsize=9)
        ax.set_xlim(0, 112)
        ax.set_ylim(len(others) - 0.5, -0.5)
        ax.set_xlabel(f"share of the {summary.verified:,} deals that use the lever (%); "
                      f"{summary.draws - summary.verified:,} of the {summary.draws:,} draws gave none", fontsize=9)
        ax.set_title("Other levers used in some deals but not all", fontsize=9, loc="left")
        ax.grid(axis="x", alpha=0.3)
    return to_svg(fig)


def tornado_chart(rows: list) -> str | None:
    """The deficit with each uncertain input alone at the 5th and at the 95th percentile of its
    draws (the others at the instance's values), around the deal's deficit: inputs that leave
    no deal at one end first (said in their label), then the largest swing. An end without a
    deal is drawn as a hatched bar that runs to the edge of the axes, marked 'no deal' (it
    has no deficit to place, and is the largest effect an input can have)."""
    from model.reporting.words import input_range, no_deficit
    rows = [x for x in rows if x.low.deficit is not None or x.high.deficit is not None][:MAX_BARS]
    if not rows:
        return None
    base = bn(rows[0].base_deficit)

    def at(end) -> float | None:
        return None if end.deficit is None else bn(end.deficit)
    fig, ax, (lo, hi), pad = _tornado_axes(len(rows), [at(e) for x in rows for e in (x.low, x.high)], base)
    labels = []
    no_deal_drawn = False
    for y, x in enumerate(rows):
        missing = []
        for end, other, color in ((x.low, x.high, BLUE), (x.high, x.low, ORANGE)):
            if end.deficit is None:
                missing.append((f"{end.percentile:.0%}", end.status))
            no_deal_drawn |= _tornado_bar(ax, y, at(end), at(other), base, (lo, hi), pad, color,
                                          f"no deal at {end.percentile:.0%}")
        span = input_range(x.path, x.low.value, x.high.value, x.unit)
        gaps = "; ".join(f"{no_deficit(status)} at its {where} point" for where, status in missing)
        labels.append(wrap(f"{x.label}: {span}" + (f"; {gaps}" if missing else ""), 34, 4))
    return _tornado_frame(
        fig, ax, labels, base, (lo, hi), no_deal_drawn,
        xlabel=f"deficit with the deal (USD bn a year); the line: the deal at the instance's values ({base:.2f})",
        title="The deficit with each uncertain input alone at either end of its draws",
        ends=("input at the 5th percentile of its draws", "input at the 95th percentile of its draws"))


def _tornado_axes(rows: int, ends: list[float | None], base: float):
    """A tornado's figure for `rows` bars, and its x range: the ends that have a value and the
    deal's own, padded by 15% of their spread (the pad is returned too, for the words' offset)."""
    fig, ax = _subplots(figsize=(8.5, 0.6 * rows + 1.8))
    values = [e for e in ends if e is not None] + [base]
    pad = 0.15 * ((max(values) - min(values)) or max(abs(base) * 0.05, 0.01))
    return fig, ax, (min(values) - pad, max(values) + pad), pad


def _tornado_bar(ax, y: int, value: float | None, other: float | None, base: float, xlim: tuple[float, float],
                 pad: float, color: str, no_deal: str) -> bool:
    """One end of a tornado's row y, drawn from the deal's value `base`: a bar to `value`, or, with no
    deal at that end (None), a hatched bar to the axes' edge away from the other end's bar (to the
    right when that end moved nothing) marked with the words `no_deal`. True when it drew no deal."""
    if value is not None:
        ax.barh(y, value - base, left=base, color=color, height=0.55)
        return False
    left_side = other is not None and other > base
    edge = xlim[0] if left_side else xlim[1]
    ax.barh(y, edge - base, left=base, color=color, alpha=0.35, hatch="//", edgecolor=RED, linewidth=0, height=0.55)
    ax.text(edge + (pad * 0.1 if left_side else -pad * 0.1), y, no_deal, ha="left" if left_side else "right",
            va="center", fontsize=9, color=RED)
    return True


def _tornado_frame(fig, ax, labels: list[str], base: float, xlim: tuple[float, float], no_deal_drawn: bool, *,
                   xlabel: str, title: str, ends: tuple[str, str]) -> str:
    """A tornado's frame, its bars drawn (one row per label, top first): the line at the deal's
    value, the axes' words and the key of the low (blue) and high (orange) ends, a hatched key
    entry when an end without a deal was drawn to the edge; the SVG."""
    ax.axvline(base, color="black", linewidth=0.8)
    ax.set_yticks(range(len(labels)), labels, fontsize=9)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_title(title, fontsize=9, loc="left")
    ax.set_xlim(*xlim)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    handles = [matplotlib.patches.Patch(color=BLUE, label=ends[0]), matplotlib.patches.Patch(color=ORANGE, label=ends[1])]
    if no_deal_drawn:
        handles.append(matplotlib.patches.Patch(facecolor="white", edgecolor=RED, hatch="//",
                                                label="no deal at that end (the bar runs to the edge)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / (0.6 * len(labels) + 1.8)),
              ncol=2 if len(handles) == 2 else 1, fontsize=9, frameon=False)
    return to_svg(fig)


def _num(v: float) -> str:
    return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def grid_chart(grid: list, path: str, label: str = "", unit: str = "") -> str | None:
    """The deficit at each value of a single swept parameter (points: each a separate solve),
    the parameter named by its label in the instance's words (`label`, else its path) and unit."""
    pts = [(g.values[path], bn(g.deficit)) for g in grid if g.deficit is not None]
    if not pts:
        return None
    fig, ax = _subplots(figsize=(7, 3.6))
    ax.scatter([p for p, _ in pts], [d for _, d in pts], color=BLUE, zorder=2)
    missing = [g.values[path] for g in grid if g.deficit is None]
    for v in missing:
        ax.axvline(v, color=RED, linestyle=":", linewidth=1)
    infeasible = all(set(g.statuses or {g.status: 1}) == {"infeasible"} for g in grid
                     if g.deficit is None)
    name = (label or path) + ("" if unit in ("", "1") else f" ({unit})")
    ax.set_xlabel(wrap(name + (("; dotted: no deal" if infeasible else "; dotted: no verified deal") if missing
                               else ""), 60))
    ax.set_ylabel("deficit with the deal (USD bn a year)")
    ax.grid(alpha=0.3)
    ax.margins(0.1)
    return to_svg(fig)


# -- comparisons ----------------------------------------------------------------------------

def compare_chart(names: list[str], metrics: list[tuple[str, list[float | None]]]) -> str:
    """The headline metrics (USD) of each instance as horizontal grouped bars, and, beside them,
    each instance's difference from the first (the levels of similar deals look alike; the
    differences show what changed). Metric labels on the left, read once for both panels; one
    unit for both panels (USD bn, or USD M when every difference is under half a billion);
    the legend names the instances."""
    two = len(names) > 1
    height = 0.32 * len(names) * len(metrics) + 1.6
    fig, axes = _subplots(1, 2 if two else 1, figsize=(10 if two else 7.5, height), squeeze=False, sharey=True,
                             gridspec_kw={"wspace": 0.08})
    palette = [BLUE, ORANGE, GREEN, PURPLE, RED, GREY]
    width = 0.8 / max(1, len(names))
    deltas = [[_difference(vals[j], vals[0]) for _, vals in metrics] for j in range(1, len(names))]
    small = two and max((abs(d) for row in deltas for d in row), default=0.0) < 0.5e9
    scale, unit = (1e-6, "USD M") if small else (1e-9, "USD bn")
    number = matplotlib.ticker.FuncFormatter(lambda x, _: plain_tick(x))

    def slot(j: int, n: int) -> list[float]:
        return [i + (j - (n - 1) / 2) * width for i in range(len(metrics))]
    left = axes[0, 0]
    for j, name in enumerate(names):
        left.barh(slot(j, len(names)), [(vals[j] or 0.0) * scale for _, vals in metrics], height=width * 0.95,
                  color=palette[j % len(palette)], label=wrap(name, 45, 2))
    left.set_xlabel(f"{unit} a year", fontsize=9)
    left.set_title("Each instance", fontsize=9, loc="left")
    left.set_yticks(range(len(metrics)), [wrap(label, 28) for label, _ in metrics], fontsize=9)
    left.set_ylim(len(metrics) - 0.5, -0.5)
    panels = [left]
    if two:
        right = axes[0, 1]
        for j in range(1, len(names)):
            right.barh(slot(j, len(names)), [d * scale for d in deltas[j - 1]], height=width * 0.95,
                       color=palette[j % len(palette)])
        right.set_xlabel(wrap(f"{unit} a year, difference from the first", 50), fontsize=9)
        right.set_title("Difference from the first instance", fontsize=9, loc="left")
        right.margins(x=0.1)
        panels.append(right)
    for ax in panels:
        ax.axvline(0, color="black", linewidth=0.6)
        ax.grid(axis="x", alpha=0.3)
        ax.set_axisbelow(True)
        ax.xaxis.set_major_formatter(number)
    fig.legend(*left.get_legend_handles_labels(), loc="upper center", ncol=min(2, len(names)), fontsize=9,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    return to_svg(fig)


def fit(ax, xs: list[float], ys: list[float], margin: float = 0.08) -> None:
    """Axes limits that hold every point with a margin of `margin` of the span on each side,
    measured in the axes' own scale (linear or symmetric log), so no marker is clipped at an
    edge or a corner (matplotlib's autoscale on a symmetric-log axis can leave the extreme
    points on the frame)."""
    import numpy as np
    for values, axis, setter in ((xs, ax.xaxis, ax.set_xlim), (ys, ax.yaxis, ax.set_ylim)):
        if not values:
            continue
        t = axis.get_transform()
        f = np.asarray(t.transform(np.asarray(values, dtype=float)), dtype=float).ravel()
        lo, hi = float(f.min()), float(f.max())
        span = hi - lo or (abs(hi) or 1.0)
        ends = np.asarray(t.inverted().transform(np.array([lo - margin * span, hi + margin * span])),
                          dtype=float).ravel()
        setter(float(ends[0]), float(ends[1]))


def _payoff_axes(ax, xs: list[float], ys: list[float]) -> dict[str, float]:
    """Zero lines, and a symmetric log scale on an axis whose values span several orders of
    magnitude (so a USD 1 million step and a USD 300 million switch both show); returns
    {'x' or 'y': the half-width of the linear part} for each axis made symmetric-log (to be
    said in its label)."""
    ax.axhline(0, color="#888", lw=0.8, zorder=1)
    ax.axvline(0, color="#888", lw=0.8, zorder=1)
    import math

    from matplotlib.ticker import FixedLocator, FuncFormatter
    logs: dict[str, float] = {}
    for name, values, setter, axis in (("x", xs, ax.set_xscale, ax.xaxis), ("y", ys, ax.set_yscale, ax.yaxis)):
        nonzero = [abs(v) for v in values if abs(v) > 1e-9]
        if nonzero and max(nonzero) / min(nonzero) > 1e3:
            top = max(nonzero)
            linthresh = 10.0 ** math.floor(math.log10(top * 1e-3))       # a round number: said in the label
            setter("symlog", linthresh=linthresh, linscale=0.5)
            logs[name] = linthresh
            # Ticks at 0 and at whole decades well outside the linear part, written as plain
            # numbers (matplotlib's default labels are math text, which reports do not render).
            decades = [10.0 ** k for k in range(math.ceil(math.log10(linthresh * 10)), math.floor(math.log10(top)) + 1)]
            axis.set_major_locator(FixedLocator(sorted({0.0, *decades, *(-d for d in decades)})))
            axis.set_minor_locator(FixedLocator([]))
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 1 else f"{v:g}"))
    fit(ax, xs, ys)
    ax.grid(alpha=0.3)
    return logs


def log_note(linthresh: float | None, unit: str) -> str:
    """How a symmetric-log axis reads, for its label ('' for a linear axis)."""
    if linthresh is None:
        return ""
    return f"; log scale beyond ±{linthresh:g} {unit} (each gridline ×10), linear within"


TRADE_STYLE = {"integrative": ("*", "#1e8449", 160), "win-win": ("P", "#1e8449", 90),
               "distributive": ("o", "#1f5f8b", 45), "costly": ("X", "#b03a2e", 70),
               "reverse": ("v", "#7d3c98", 55), "lose-lose": ("x", "#b03a2e", 55), "no effect": (".", "#888", 30)}
NAMED = 10                 # points of the concession chart numbered and named in its key


def concession_name(row) -> str:
    """A concession in the instance's own words: its label without the trailing detail, and
    the step valued ('United States tariff on passenger cars: one more cut: flat 15.0% -> flat 12.5%')."""
    name = short(row.label) or row.lever
    return f"{name}: {row.step}" if row.step else name


def concession_chart(rows: list, parties: dict[str, str]) -> str:
    """What each concession is worth: value to home (x, USD M) against value to the partner
    (y, USD M), one point per priced lever; the shape says how the step splits between the
    sides (integrative: cheap for the giver, valuable to the receiver). The largest points are
    numbered and named, with the step valued, in a key under the chart."""
    priced = [r for r in rows if r.home_value is not None and r.partner_value is not None]
    order = sorted(range(len(priced)), key=lambda i: -(abs(priced[i].home_value) + abs(priced[i].partner_value)))
    fig, ax = _subplots(figsize=(8, 5.2 + 0.36 * min(NAMED, len(priced))))
    xs = [r.home_value / 1e6 for r in priced]
    ys = [r.partner_value / 1e6 for r in priced]
    for trade, (marker, color, size) in TRADE_STYLE.items():
        pts = [(x, y) for x, y, r in zip(xs, ys, priced) if r.trade == trade]
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, color=color, s=size, label=trade,
                       zorder=3)
    logs = _payoff_axes(ax, xs, ys)
    # Number the largest points (by the sum of both values), skipping a point whose number would
    # sit over one already placed (boxes in display units: 9-point digits, offset as drawn).
    px_per_pt = fig.dpi / 72.0
    placed: list[tuple[float, float, float, float]] = []
    named: list[int] = []
    for i in order:
        if len(named) == NAMED:
            break
        px, py = ax.transData.transform((xs[i], ys[i]))
        digits = len(str(len(named) + 1))
        box = (px + 3 * px_per_pt, py, px + (7 + 6.5 * digits) * px_per_pt, py + 14 * px_per_pt)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        named.append(i)
    key = []
    for number, i in enumerate(named, 1):
        ax.annotate(str(number), (xs[i], ys[i]), fontsize=9, fontweight="bold", xytext=(5, 3),
                    textcoords="offset points", annotation_clip=False)
        key.append(wrap(f"{number}. {concession_name(priced[i])}", 95, 2))
    ax.set_xlabel(wrap(f"value to {parties['home']} of the step (USD M){log_note(logs.get('x'), 'M')}", 80))
    ax.set_ylabel(wrap(f"value to {parties['partner']} (USD M){log_note(logs.get('y'), 'M')}", 50))
    ax.set_title("What each concession is worth to each side (one point per lever; the step valued in the key)",
                 fontsize=10, loc="left")
    if priced:
        ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    if key:
        ax.text(0.0, -0.16, "\n".join(key), transform=ax.transAxes, va="top", ha="left", fontsize=9,
                linespacing=1.35)
    return to_svg(fig)


def gain_axis(values: list[float], who: str, first: str = "package 1") -> tuple[list[float], str]:
    """Gains (USD) as plotted, with their axis label: in USD M; when they differ by less than 5%
    of their size, as the difference from the first value, that value stated in the label
    (so ticks read '+0.5' rather than '1.68650')."""
    from model.formatting import money
    m = [v / 1e6 for v in values]
    span = max(m) - min(m) if m else 0.0
    size = max((abs(v) for v in m), default=0.0)
    if m and size and span < 0.05 * size:
        return [v - m[0] for v in m], f"{who} gain over no deal, USD M against {first}'s ({money(values[0])})"
    return m, f"{who} gain over no deal (USD M)"


def packages_chart(packages: list[Package], parties: dict[str, str]) -> str:
    """Alternative packages in payoff space: each side's gain over no deal (USD M, or USD M
    against package 1 when the packages are close: `gain_axis`); equivalent offers (equally
    good for home, differing most for the partner) are starred."""
    fig, ax = _subplots(figsize=(7.5, 5))
    first = f"package {packages[0].rank}" if packages else "package 1"
    xs, xlabel = gain_axis([p.home_gain for p in packages], possessive(parties["home"]), first)
    ys, ylabel = gain_axis([p.partner_gain for p in packages], possessive(parties["partner"]), first)
    ax.scatter(xs, ys, color="#1f5f8b", s=40, zorder=2, label="package (verified deal)")
    eq = [(x, y) for x, y, p in zip(xs, ys, packages) if p.equivalent]
    if eq:
        ax.scatter([p[0] for p in eq], [p[1] for p in eq], marker="*", s=220, color="#1e8449", zorder=3,
                   label="equivalent offers")
    fit(ax, xs, ys, 0.12)
    for x, y, p in zip(xs, ys, packages):
        ax.annotate(str(p.rank), (x, y), fontsize=9, xytext=(5, 4), textcoords="offset points")
    ax.set_xlabel(wrap(xlabel, 60))
    ax.set_ylabel(wrap(ylabel, 45))
    ax.set_title("Alternative packages in payoff space (numbers: rank by deficit)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="best")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: plain_tick(v)))
    return to_svg(fig)


def offers_chart(lines: list[OfferLine], parties: dict[str, str]) -> str:
    """Offers side by side in gains: each side's payoff over no deal (USD bn) under each offer as
    stated (filled: acceptable; hollow: breaks a constraint), the optimum (a star) and no deal
    (the origin). The quadrant where both gain is shaded."""
    fig, ax = _subplots(figsize=(7.5, 5))
    ax.axhline(0, color=GREY, lw=0.8)
    ax.axvline(0, color=GREY, lw=0.8)
    shown = [line for line in lines if line.gains is not None]
    xs = [bn(line.gains["home"]) for line in shown if line.gains is not None]
    ys = [bn(line.gains["partner"]) for line in shown if line.gains is not None]
    span = max([abs(v) for v in xs + ys] + [1e-3]) * 1.25
    ax.set_xlim(-span, span)
    ax.set_ylim(-span, span)
    ax.fill_between([0, span], 0, span, color=GREEN, alpha=0.07, zorder=0, label="both gain")
    labelled: set[str] = set()
    for line, x, y in zip(shown, xs, ys):
        if line.kind == "no_deal":
            style = {"marker": "o", "color": GREY, "s": 40, "label": "no deal"}
        elif line.kind == "optimum":
            style = {"marker": "*", "color": GREEN, "s": 220, "label": "the optimum"}
        elif line.acceptable:
            style = {"marker": "o", "color": BLUE, "s": 60, "label": "offer, acceptable as stated"}
        else:
            style = {"marker": "o", "facecolors": "none", "edgecolors": RED, "s": 60, "linewidths": 1.5,
                     "label": "offer, breaks a constraint as stated"}
        if style["label"] in labelled:
            style["label"] = "_"
        labelled.add(str(style["label"]))
        ax.scatter([x], [y], zorder=3, **style)
        if line.kind == "offer":
            ax.annotate(line.name, (x, y), fontsize=9, xytext=(6, 4), textcoords="offset points")
    ax.set_xlabel(f"{possessive(parties['home'])} gain over no deal (payoff, USD bn)")
    ax.set_ylabel(f"{possessive(parties['partner'])} gain over no deal (payoff, USD bn)")
    ax.set_title("Offers as stated, the optimum and no deal")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="lower left")
    return to_svg(fig)


# -- the policy curve (`sweep --lever`) -----------------------------------------------------

def x_of(curve: PolicyCurve, value: float) -> float:
    """A value as the x axis shows it: rates in percent, other units as they are."""
    return value * 100 if curve.unit == "fraction" else value


def x_label(curve: PolicyCurve) -> str:
    return f"{curve.label} ({'%' if curve.unit == 'fraction' else curve.unit})"


def policy_curve_chart(curve: PolicyCurve, parties: dict[str, str]) -> str:
    """Two panels over the lever's values: the deficit in the negotiated goods and in the modelled lines alone (USD bn), and
    each side's payoff gain over no deal (USD bn, zero marked). A value without a deal is a grey
    cross on the axis of both panels, named in the legend; the deal `run` finds is a dashed line."""
    fig, (left, right) = _subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"wspace": 0.3})
    dealt = [p for p in curve.points if p.deficit is not None]
    none = [x_of(curve, p.value) for p in curve.points if p.deficit is None]
    xs = [x_of(curve, p.value) for p in dealt]
    left.plot(xs, [bn(p.deficit) for p in dealt], "o-", color=BLUE, label="deficit in the negotiated goods (lines and purchases)")
    left.plot(xs, [bn(p.sector_deficit) for p in dealt], "s--", color=ORANGE, label="deficit in the modelled lines alone")
    left.set_ylabel("USD bn a year")
    left.set_title("The balances")
    for party, color in (("home", BLUE), ("partner", RED)):
        right.plot(xs, [bn((p.gains or {}).get(party)) for p in dealt], "o-", color=color,
                   label=f"{possessive(parties[party])} gain over no deal (payoff)")
    right.axhline(0, color=GREY, lw=0.8)
    right.set_ylabel("USD bn a year")
    right.set_title("Each side's gain over no deal")
    for ax in (left, right):
        if none:                      # on a band added below the lines, inside the axes
            low, high = ax.get_ylim() if dealt else (0.0, 1.0)
            span = (high - low) or 1.0
            ax.set_ylim(low - 0.12 * span, high)
            ax.plot(none, [low - 0.06 * span] * len(none), "x", color=GREY, ms=9, mew=2,
                    label="no deal at this value")
        if curve.deal_value is not None:
            ax.axvline(x_of(curve, curve.deal_value), color=GREEN, ls=":", lw=1.2, label="the deal run finds")
        ax.set_xlabel(x_label(curve))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9, loc="best")
    return to_svg(fig)


# -- the assumptions, ranked ----------------------------------------------------------------------

def assumption_chart(rank) -> str:
    """The deal's objective with each assumption source alone at its low end and at its high end,
    around the deal's (the section's order: lost deals first, then the largest swing). An end
    without a deal is a hatched bar to the edge of the axes, marked 'no deal', as in the tornado."""
    rows = moving(rank)[:MAX_BARS]
    base = bn(rank.base)

    def at(end) -> float | None:
        return bn(end.objective) if end.deal and end.objective is not None else None
    fig, ax, (lo, hi), pad = _tornado_axes(len(rows), [at(e) for x in rows for e in (x.low, x.high)], base)
    # A bar without a deal runs to the edge: leave it room for its words on that side.
    for x in rows:
        for end, other in ((x.low, x.high), (x.high, x.low)):
            if at(end) is None:
                if (o := at(other)) is not None and o > base:
                    lo = min(lo, base - 0.3 * (hi - lo))
                else:
                    hi = max(hi, base + 0.3 * (hi - lo))
    labels = []
    no_deal_drawn = False
    for y, x in enumerate(rows):
        for end, other, color, where in ((x.low, x.high, BLUE, "low"), (x.high, x.low, ORANGE, "high")):
            no_deal_drawn |= _tornado_bar(ax, y, at(end), at(other), base, (lo, hi), pad, color,
                                          f"no deal at its {where} end")
        n = len(x.inputs)
        labels.append(wrap(f"{brief(x.why)} ({'1 input' if n == 1 else f'{n} inputs'})", 34, 4))
    return _tornado_frame(
        fig, ax, labels, base, (lo, hi), no_deal_drawn,
        xlabel=f"{rank.objective.replace('_', ' ')} with the deal (USD bn a year); the line: the deal at the "
               f"instance's values ({base:.2f})",
        title="The deal with each assumption source alone at either end",
        ends=("the source's inputs at their low ends", "the source's inputs at their high ends"))


# -- a deal over time ------------------------------------------------------------------------

def over_time_chart(ot, metric: str = "deficit") -> str | None:
    """The deficit in each year of the horizon (each year's dollars, not discounted), with the
    deal and with no deal: one point per year on each line, joined since the years are one deal's
    path, the gap between them shaded. None when the results hold no such series with a deal."""
    v = next((m for m in ot.metrics if m.name == metric), None)
    if v is None or v.deal is None or not ot.years:
        return None
    years = [float(y) for y in ot.years]
    no_deal, deal = [bn(x) for x in v.no_deal], [bn(x) for x in v.deal]
    fig, ax = _subplots(figsize=(max(6.5, 0.55 * len(years) + 3.0), 3.8))
    ax.fill(years + years[::-1], no_deal + deal[::-1], color=BLUE, alpha=0.12, linewidth=0)    # the gap: a patch
    for ys, name, color, marker in ((no_deal, "no deal", RED, "o"), (deal, "deal", BLUE, "s")):
        ax.plot(years, ys, color=color, linewidth=1.6, zorder=2)
        ax.scatter(years, ys, color=color, marker=marker, s=30, zorder=3, label=name)
    fit(ax, years, no_deal + deal, margin=0.1)
    if len(years) == 1:
        ax.set_xlim(years[0] - 1, years[0] + 1)
    step = max(1, round(len(years) / 12))
    ax.set_xticks(years[::step], [str(int(y)) for y in years[::step]])
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: plain_tick(x)))
    ax.set_xlabel("year")
    ax.set_ylabel(wrap(f"{v.label} (USD bn a year, each year's dollars)", 40))
    ax.grid(alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return to_svg(fig)
