"""A comparison of instances as people read it: markdown, html, the terminal table, the tidy
csv table, the spreadsheet sheets and the chart of headline metrics.

Outcomes come first (the headline metrics always, then every other metric and lever that
differs), with deltas against the first instance: percentage points for rates, 'now yes'
for a yes/no that changed. Then the inputs that differ, grouped by the object they belong
to (a segment, a dealer network, a red line, ...). An object that some instance lacks is
named by its label, which is then not listed as a difference; labels and source texts are
listed only when they changed on an object every instance has. In html the deltas are
coloured: green when better for the party the metric is about (a lower deficit, a higher
payoff), red when worse, grey for other changes.
"""
from __future__ import annotations

import math

import pandas as pd

from model.analyses.compare import Comparison, InputDiff
from model.formatting import count, money
from model.formatting import value as fmt
from model.reporting.html import esc, html_table, inline, inline_svg, page
from model.reporting.markdown_table import table
from model.reporting.words import change, input_value, possessive, short
from model.results import OverTime
from model.text import visible

HEADLINE = ("sector_deficit", "deficit", "all_goods_deficit", "purchases_value", "home_payoff", "partner_payoff")
LOWER_IS_BETTER = {"deficit", "sector_deficit", "all_goods_deficit", "imports_value", "imports_units", "buyer_cost",
                   "partner_production_loss", "partner_political_cost"}
HIGHER_IS_BETTER = {"home_payoff", "partner_payoff", "exports_value", "exports_units", "purchases_value",
                    "home_production_gain", "tariff_revenue", "partner_export_margin", "dealer_margin",
                    "partner_plant_margin"}
TEXT_FIELDS = ("label", "citation", "assumption", "reason", "year", "title", "question")


# -- outcomes ---------------------------------------------------------------------------------

def _differs(o) -> bool:
    if all(v is None or abs(v) < 1e-9 for v in o.values):
        return False                    # zero wherever it exists (a lever only some instances have, unused)
    return any(d is not None and abs(d) > 1e-6 * max(1.0, abs(v or 0.0)) for d, v in zip(o.deltas, o.values)) \
        or len({v is None for v in o.values}) > 1


def outcome_rows(c: Comparison) -> list:
    """The headline metrics (always), then the other metrics and levers that differ."""
    metrics = {o.name: o for o in c.outcomes if o.section == "metric"}
    head = [metrics[k] for k in HEADLINE if k in metrics]
    rest = [o for o in c.outcomes if o not in head and _differs(o)]
    return head + rest


def _label(o) -> str:
    return (short(o.label) if o.section == "metric" else f"lever: {o.label}")


def _cell(o, i: int) -> tuple[str, str]:
    """(value text, delta text) of outcome `o` in instance i ('' delta for the first)."""
    v, d = o.values[i], o.deltas[i]
    shown = fmt(v, o.unit) if v is not None else "n/a"
    if i == 0 or d is None:
        return shown, ""
    if abs(d) <= 1e-6 * max(1.0, abs(v or 0.0)):
        return shown, "same"
    return shown, change(d, o.unit)


def _tone(o, d) -> str:
    if d is None or abs(d) <= 1e-6:
        return "neutral"
    if o.name in LOWER_IS_BETTER:
        return "down" if d < 0 else "up"
    if o.name in HIGHER_IS_BETTER:
        return "down" if d > 0 else "up"       # 'down' is the good colour (green), 'up' the bad one (red)
    return "neutral"


GAINS = {"home_payoff": "home", "partner_payoff": "partner"}


def chart_rows(c: Comparison) -> list[tuple[str, list[float | None]]]:
    """The chart's rows: the headline metrics per instance (USD), each payoff as the side's gain
    over no deal (a payoff's level, some USD -196 bn, would squash the rest and means nothing
    alone), named by the instances' parties when they all have the same."""
    metrics = {o.name: o for o in c.outcomes if o.section == "metric"}
    same = c.parties and all(p == c.parties[0] for p in c.parties)
    rows = []
    for k in HEADLINE:
        if k not in metrics:
            continue
        if k in GAINS:
            side = GAINS[k]
            who = possessive(c.parties[0][side]) if same else ("the home party's" if side == "home" else
                                                                 "the partner's")
            nd = [n.get(k) for n in c.no_deal] if len(c.no_deal) == len(metrics[k].values) else []
            gains = [None if v is None or not nd or nd[j] is None else v - nd[j]
                     for j, v in enumerate(metrics[k].values)]
            rows.append((f"{who} gain over no deal (payoff)", gains))
        else:
            rows.append((short(metrics[k].label), list(metrics[k].values)))
    return rows


def legend_names(c: Comparison) -> list[str]:
    """Each instance by its title (its label where titles repeat or are missing)."""
    titles = c.titles if len(c.titles) == len(c.names) and all(c.titles) else []
    return titles if titles and len(set(titles)) == len(titles) else list(c.names)


def chart(c: Comparison) -> str:
    """The headline metrics per instance, as grouped bars (USD), payoffs as gains over no deal."""
    from model.reporting.charts import compare_chart
    return compare_chart(legend_names(c), chart_rows(c))


# -- inputs, grouped by object ------------------------------------------------------------------

def _object(path: str) -> tuple[str, str]:
    """('segments.suv', 'elasticity') for 'segments.suv.elasticity'; sections with one level
    ('settings.objective') are their own object."""
    parts = path.split(".")
    if parts[0] in ("settings", "parties") or len(parts) < 3:
        return parts[0], ".".join(parts[1:])
    return ".".join(parts[:2]), ".".join(parts[2:])


def input_groups(c: Comparison) -> list[tuple[str, str, list[InputDiff]]]:
    """[(object, title, differences)]: the differences of each object, without its label (an
    object some instance lacks is titled by its label) and without source texts, unless
    they changed on an object every instance has."""
    groups: dict[str, list[InputDiff]] = {}
    for d in c.inputs:
        groups.setdefault(_object(d.path)[0], []).append(d)
    out = []
    for obj, diffs in groups.items():
        present = _present(diffs)
        partial = not all(present)          # the object is missing from some instance
        if partial and obj.startswith("sources."):
            continue                        # a new source: its key is shown beside the numbers that cite it
        label = next((x for d in diffs if _object(d.path)[1] == "label" for x in _leaves(d) if isinstance(x, str)), "")
        kept = [d for d in diffs if not (partial and _object(d.path)[1] in TEXT_FIELDS)]
        if kept:
            title = obj + (f": {label}" if label and partial else "")
            if partial:
                title += f" (only in {', '.join(n for n, p in zip(c.names, present) if p)})"
            out.append((obj, title, kept))
    return out


def diversion_rows(c: Comparison) -> list[list[str]]:
    """Trade creation and diversion, deal against no deal, one column per instance ('n/a'
    where an instance has no third countries or no deal); [] if none has them."""
    if not any(c.diversion):
        return []

    def cells(get):
        return [get(d) if d else "n/a" for d in c.diversion]
    countries: dict[str, str] = {}
    for d in c.diversion:
        for x in (d.countries if d else []):
            countries.setdefault(x.country, x.label)
    rows = [["partner imports, units", *cells(lambda d: count(d.partner.units, "", True).strip())],
            ["partner imports, USD", *cells(lambda d: fmt(d.partner.value, "USD", signed=True))],
            ["trade creation, USD", *cells(lambda d: fmt(d.creation.value, "USD", signed=True))],
            ["trade diversion, USD", *cells(lambda d: fmt(d.diversion.value, "USD", signed=True))],
            ["diverted share (value)",
             *cells(lambda d: "n/a" if d.diverted_share.value is None else f"{d.diverted_share.value:.1%}")]]
    for key, label in countries.items():
        rows.append([f"{label} imports, units", *cells(lambda d, k=key: next(
            (count(x.units, "", True).strip() for x in d.countries if x.country == k), "n/a"))])
    rows += [[f"{words}, change", *cells(lambda d, n=name: fmt(d.balances[n], "USD", signed=True))]
             for name, words in (("deficit", "deficit in the negotiated goods"),
                                 ("third_countries_deficit", "third countries' balance (imports where their exports "
                                                             "are not given)"),
                                 ("overall_deficit", "overall balance in the modelled lines"))]
    return rows


DIVERSION_NOTE = ("Deal against no deal in each instance: the change in imports from the partner is trade creation "
                  "(the change in total imports) plus trade diversion (imports taken from, or handed to, the third "
                  "countries).")


def _leaves(d: InputDiff) -> tuple:
    return d.leaves if d.leaves else tuple(None if v == "(absent)" else v for v in d.values)


def _present(diffs: list[InputDiff]) -> list[bool]:
    n = len(_leaves(diffs[0]))
    return [any(_leaves(d)[i] is not None for d in diffs) for i in range(n)]


def show_leaf(path: str, leaf) -> str:
    """An input value as people write it, with its source key: '10,000 vehicles a year [a_follow_capacity]'."""
    if leaf is None:
        return "(absent)"
    if isinstance(leaf, tuple) and len(leaf) == 3 and isinstance(leaf[0], (int, float)):
        return f"{input_value(path, float(leaf[0]), str(leaf[1]))} [{leaf[2]}]"
    if isinstance(leaf, bool):
        return "yes" if leaf else "no"
    return str(leaf)


# -- markdown ---------------------------------------------------------------------------------

def markdown(c: Comparison) -> str:
    lines = [f"# Comparison: {', '.join(c.names)}", "",
             "Instances: " + "; ".join(f"`{n}` ({f}, {s})" for n, f, s in zip(c.names, c.files, c.statuses)),
             "", "## What it did to the deal", "",
             f"Deltas are against the first instance, `{c.names[0]}` (percentage points, pp, for rates).", "",
             "![Headline metrics per instance](comparison.svg)", ""]
    rows = []
    for o in outcome_rows(c):
        cells = []
        for i in range(len(c.names)):
            shown, delta = _cell(o, i)
            cells.append(shown + (f" ({delta})" if delta else ""))
        rows.append([_label(o), *cells])
    lines.append(table(["", *c.names], rows))
    diversion = diversion_rows(c)
    if diversion:
        lines += ["", "## Trade creation and diversion, side by side", "", DIVERSION_NOTE, "",
                  table(["", *c.names], diversion)]
    if any(c.over_time):
        lines += ["", "## Over the years", "", over_time_note(c), "", table(["", *c.names], present_value_rows(c))]
        head, rows = year_rows(c)
        if rows:
            lines += ["", YEARS_NOTE, "", table(head, rows)]
    lines += ["", "## What changed in the inputs", ""]
    groups = input_groups(c)
    if not groups:
        lines.append("The inputs are identical." if not c.inputs else
                     "Only labels and source texts of new objects differ.")
    for _, title_, diffs in groups:
        lines += [f"### {title_}", "",
                  table(["field", *c.names], [[f"`{_object(d.path)[1]}`", *(show_leaf(d.path, x) for x in _leaves(d))]
                                              for d in diffs]), ""]
    return visible("\n".join(lines).rstrip()) + "\n"


# -- html ---------------------------------------------------------------------------------------

def html(c: Comparison, svg: str | None = None) -> str:
    """The comparison as a self-contained page (same look as report.html), outcomes first."""
    svg = chart(c) if svg is None else svg
    intro = ("<p>Instances: " + "; ".join(f"<b>{esc(n)}</b> ({esc(f)}, {esc(s)})" for n, f, s in
                                          zip(c.names, c.files, c.statuses))
             + f". Deltas are against the first instance, <b>{esc(c.names[0])}</b>; pp: percentage points. "
             '<span class="down">Green</span>: better for the party the metric is about (a lower deficit, a higher '
             'payoff); <span class="up">red</span>: worse; <span class="neutral">grey</span>: other changes.</p>')
    rows = outcome_rows(c)

    def cell(i, j, v):
        if j == 0:
            return esc(v), ""
        o = rows[i]
        shown, delta = _cell(o, j - 1)
        if not delta:
            return esc(shown), "num"
        return f'{esc(shown)} <span class="{_tone(o, o.deltas[j - 1])}">({esc(delta)})</span>', "num"
    outcomes = html_table(["", *c.names], [[_label(o), *o.values] for o in rows], cell=cell)
    sections = [("", intro), ("What it did to the deal", inline_svg(svg, "compare") + outcomes)]
    diversion = diversion_rows(c)
    if diversion:
        sections.append(("Trade creation and diversion, side by side", f"<p>{esc(DIVERSION_NOTE)}</p>"
                         + html_table(["", *c.names], diversion)))
    if any(c.over_time):
        head, years = year_rows(c)
        sections.append(("Over the years", f"<p>{inline(over_time_note(c))}</p>"
                         + html_table(["", *c.names], present_value_rows(c), set(range(1, len(c.names) + 1)))
                         + (f"<p>{esc(YEARS_NOTE)}</p>" + html_table(head, years, set(range(1, len(head))))
                            if years else "")))
    groups = input_groups(c)
    parts = []
    for _, title_, diffs in groups:
        parts.append(f"<h3>{esc(title_)}</h3>" + html_table(
            ["field", *c.names], [[_object(d.path)[1], *(show_leaf(d.path, x) for x in _leaves(d))] for d in diffs]))
    sections.append(("What changed in the inputs", "".join(parts) if parts else
                     f"<p>{inline('The inputs are identical.' if not c.inputs else 'Only labels and source texts of new objects differ.')}</p>"))
    return page(f"Comparison: {', '.join(c.names)}", sections)


# -- terminal -----------------------------------------------------------------------------------

KEY_METRICS = ("deficit", "sector_deficit", "imports_value", "exports_value", "purchases_value", "home_payoff",
               "partner_payoff", "partner_production_loss", "overall_deficit")


def terminal_table(c: Comparison) -> str:
    """The key metrics in their labels, one column per instance, each as wide as its widest cell."""
    metrics = {o.name: o for o in c.outcomes if o.section == "metric"}
    rows = [["status", *c.statuses]]
    for k in KEY_METRICS:
        if k in metrics:
            o = metrics[k]
            rows.append([short(o.label), *(fmt(v, o.unit) if v is not None else "n/a" for v in o.values)])
    rows += [[label[:40], *cells] for label, *cells in diversion_rows(c)[:5]]
    if any(c.over_time):
        rows += [[label.replace(", present value", ", PV")[:40], *cells] for label, *cells in present_value_rows(c)]
    header = ["", *c.names]
    widths = [max(len(str(r[j])) for r in [header, *rows]) for j in range(len(header))]
    lines = ["  ".join(str(cell).ljust(widths[0]) if j == 0 else str(cell).rjust(widths[j])
                       for j, cell in enumerate(row)) for row in [header, *rows]]
    moved = sum(1 for o in c.outcomes if o.section == "lever" and _differs(o))
    n, groups = len(c.inputs), len(input_groups(c))
    if any(c.over_time):
        lines.append("PV: present value, each year discounted to the first year of the instance's horizon at its rate")
    lines.append(f"{n} input field{'s' if n != 1 else ''} differ{'s' if n == 1 else ''} ({groups} object{'s' if groups != 1 else ''}); "
                 f"{moved} lever{'s' if moved != 1 else ''} differ{'s' if moved == 1 else ''}")
    return "\n".join(line.rstrip() for line in lines)


# -- tidy csv and sheets ------------------------------------------------------------------------

def to_rows(c: Comparison) -> list[dict]:
    """The comparison as one tidy table (comparison.csv): one row per item and instance, the
    value as a number in `value` (text values in `text`), its unit and source in their own
    columns, and the numeric delta against the first instance."""
    rows = []
    for d in c.inputs:
        obj, field = _object(d.path)
        leaves = _leaves(d)
        first = leaves[0]
        for name, leaf in zip(c.names, leaves):
            number = isinstance(leaf, tuple) and len(leaf) == 3 and isinstance(leaf[0], (int, float))
            delta = None
            if number and isinstance(first, tuple) and len(first) == 3 and first[1] == leaf[1] \
                    and isinstance(first[0], (int, float)):
                delta = float(leaf[0]) - float(first[0])
            rows.append({"section": "input", "object": obj, "item": field, "label": "", "instance": name,
                         "value": float(leaf[0]) if number else None, "unit": str(leaf[1]) if number else "",
                         "source": str(leaf[2]) if number else "",
                         "text": "" if number or leaf is None else show_leaf(d.path, leaf),
                         "present": leaf is not None, "delta": delta})
    for o in c.outcomes:
        for name, v, dv in zip(c.names, o.values, o.deltas):
            rows.append({"section": o.section, "object": o.name, "item": "", "label": o.label, "instance": name,
                         "value": v, "unit": o.unit, "source": "", "text": "", "present": v is not None,
                         "delta": dv if dv is None or math.isfinite(dv) else None})
    return rows


def sheets(c: Comparison) -> dict:
    rows = to_rows(c)
    out = {"outcomes": pd.DataFrame([r for r in rows if r["section"] != "input"]),
           "inputs": pd.DataFrame([r for r in rows if r["section"] == "input"])}
    if any(c.over_time):
        out["over_time"] = over_time_frame(c)
        out["over_time_sums"] = over_time_sums_frame(c)
    return out


# -- instances over a horizon: present values and each year ---------------------------------------

OVER_TIME_CSV = "comparison_over_time.csv"
OVER_TIME_SUMS_CSV = "comparison_over_time_sums.csv"
YEARS_NOTE = ("The deficit with the deal in each year of each instance over a horizon (each year's dollars), and "
              "its change against that instance's no deal; every metric of every year is in "
              f"{OVER_TIME_CSV}.")


def over_time_note(c: Comparison) -> str:
    """How to read the present values: which instances have a horizon, and what a one-year one shows."""
    one = [n for n, ot in zip(c.names, c.over_time) if ot is None]
    text = ("Present values discount each year's figure to the first year of the instance's horizon at its rate; "
            "they compare like for like only over the same years and rate (both rows say them). The tables above "
            "describe each horizon instance's last year (its deal fully phased in).")
    if one:
        text += (f" {', '.join(one)} {'has' if len(one) == 1 else 'have'} one year and no present value: "
                 "its yearly figures are in the tables above.")
    return text


def _pv_money(v: float | None, first: float | None, i: int, signed: bool = False) -> str:
    if v is None:
        return "n/a"
    shown = money(v, signed)
    if i == 0 or first is None:
        return shown
    d = v - first
    return shown + (" (same)" if abs(d) < 0.5 else f" ({money(d, True)})")


def present_value_rows(c: Comparison) -> list[list[str]]:
    """[label, one cell per instance]: the horizon and discount rate, then the present values of
    the deficit with and without the deal, their difference and each party's gain over no deal,
    each with its change against the first instance (when both have a horizon)."""
    from model.reporting.over_time_section import gain_sum, rate_said
    ots = c.over_time
    same = c.parties and all(p == c.parties[0] for p in c.parties)

    def deficit(ot: OverTime | None):
        return next((v for v in ot.metrics if v.name == "deficit"), None) if ot is not None else None

    def row(label: str, get, signed: bool = False) -> list[str]:
        values = [get(ot) if ot is not None else None for ot in ots]
        return [label, *(_pv_money(v, values[0], i, signed) for i, v in enumerate(values))]

    def pv(ot, which):
        d = deficit(ot)
        return None if d is None else (d.deal_sum if which == "deal" else d.no_deal_sum)

    def diff(ot):
        d = deficit(ot)
        return None if d is None or d.deal_sum is None or d.no_deal_sum is None else d.deal_sum - d.no_deal_sum

    rows = [["years", *(f"{ot.first_year} to {ot.last_year}" if ot else "one year" for ot in ots)],
            ["discount rate", *(f"{rate_said(ot.discount_rate)} a year" if ot else "n/a" for ot in ots)],
            row("deficit with the deal, present value", lambda ot: pv(ot, "deal")),
            row("deficit with no deal, present value", lambda ot: pv(ot, "no_deal")),
            row("deficit, deal - no deal, present value", diff, True)]
    for side in ("home", "partner"):
        who = possessive(c.parties[0][side]) if same else ("the home party's" if side == "home" else "the partner's")
        rows.append(row(f"{who} gain over no deal, present value",
                        lambda ot, s=side: next((gain_sum(g) for g in ot.gains if g.name == s), None), True))
    return rows


def year_rows(c: Comparison) -> tuple[list[str], list[list[str]]]:
    """(header, rows): each year of any instance over a horizon; per such instance the deficit with
    the deal in that year and its change against no deal ('' in a year outside its horizon)."""
    shown = [(n, ot) for n, ot in zip(c.names, c.over_time) if ot is not None]
    years = sorted({y for _, ot in shown for y in ot.years})
    rows = []
    for year in years:
        cells = []
        for _, ot in shown:
            d = next((v for v in ot.metrics if v.name == "deficit"), None)
            if d is None or year not in ot.years:
                cells.append("")
                continue
            i = ot.years.index(year)
            cells.append(money(d.no_deal[i]) + " (no deal)" if d.deal is None else
                         f"{money(d.deal[i])} ({money(d.deal[i] - d.no_deal[i], True)} against no deal)")
        rows.append([str(year), *cells])
    return ["year", *(n for n, _ in shown)], rows


def over_time_frame(c: Comparison) -> pd.DataFrame:
    """comparison_over_time.csv: each horizon instance's over_time.csv one after the other, with
    an `instance` column first (long form: instance, year, metric, label, unit, no_deal, deal)."""
    from model.reporting.over_time_section import frame
    parts = [frame(ot).assign(instance=name) for name, ot in zip(c.names, c.over_time) if ot is not None]
    out = pd.concat(parts, ignore_index=True)
    return out[["instance", *[col for col in out.columns if col != "instance"]]]


def over_time_sums_frame(c: Comparison) -> pd.DataFrame:
    """comparison_over_time_sums.csv: each horizon instance's present values and totals
    (over_time_sums.csv with an `instance` column first)."""
    from model.reporting.over_time_section import sums_frame
    parts = [sums_frame(ot).assign(instance=name) for name, ot in zip(c.names, c.over_time) if ot is not None]
    out = pd.concat(parts, ignore_index=True)
    return out[["instance", *[col for col in out.columns if col != "instance"]]]
