"""A deal over a horizon of years (`Results.over_time`, an instance with `horizon:`), for readers.

- `path_lines`: the first screen's part (report.md, report.html, the terminal, brief.html):
  which year the standard tables describe (the last: the deal fully phased in), each
  schedule and the path it follows (chosen from the instance's menu, or fixed), what changes
  in which year (the first year against no deal, then each year against the one before, from
  the levers by year), and the present values of each party's gain and of the deficit.
- `section`: "The deal over time", a table of each year (the deficit with and without the
  deal, each party's gain, the discount factor) with the present values, the chart of the
  deficit path (`charts.over_time_chart`), and every metric summed over the horizon (money as
  a present value, volumes as a total, rates not summed: they are per year in over_time.csv).
- `frame` and `sums_frame`: over_time.csv in long form (one row per year and metric: year,
  metric, label, unit, no_deal, deal) and over_time_sums.csv (one row per metric that adds
  up: its present value or total), the workbook's sheets of the same names.

It reads `Results.over_time` (and the lever context for the no-deal setting of each lever),
never Pyomo. Each function returns text with markdown's bold as its only markup.
"""
from __future__ import annotations

import pandas as pd

from model.formatting import money, value
from model.reporting.markdown_table import table
from model.reporting.words import amount, change, possessive, rate_setting
from model.results import OverTime, Results, YearLever, YearValues

CSV = "over_time.csv"
SUMS_CSV = "over_time_sums.csv"
LEVERS_CSV = "over_time_levers.csv"
QUOTAS_CSV = "over_time_quotas.csv"
MAX_YEARS = 12           # years listed one by one on the first screen; the rest counted (all in the section)
MAX_CHANGES = 6          # levers said per year on the first screen; the rest counted
SAME = 5e-5              # a lever this close to the year before (relative above 1) has not moved
GAIN_ONLY = ("home_payoff", "partner_payoff")     # a payoff's level means nothing to a reader: its gain is in the year table
SUMMED_WORDS = {"present value": "present value", "total": "total over the years", "none": "not summed"}


# -- words ------------------------------------------------------------------------------------

def rate_said(rate: float) -> str:
    """0.02 -> '2%', 0.035 -> '3.5%'."""
    return f"{float(f'{rate * 100:.6g}'):g}%"


def years_said(ot: OverTime) -> str:
    return f"{ot.first_year} to {ot.last_year}"


def pv_words(ot: OverTime) -> str:
    """What a present value is here: 'present value at 2% a year, 2026 dollars'."""
    return f"present value at {rate_said(ot.discount_rate)} a year, {ot.first_year} dollars"


def setting(value: float, unit: str, choice: str | None) -> str:
    """A lever's setting as the first screen writes it: a tariff's rate or option, yes/no, an amount."""
    value = float(f"{value:.6g}")          # a solve's noise (2.9999999 aircraft) is not a figure
    if choice is not None and unit == "fraction":
        return rate_setting(value, choice)
    if unit == "yes/no":
        return "yes" if value > 0.5 else "no"
    return choice or amount(value, unit)


def _moved(a: float, b: float) -> bool:
    return abs(a - b) > SAME * max(1.0, abs(b))


def _series(ot: OverTime, name: str, *, gains: bool = False) -> YearValues | None:
    return next((v for v in (ot.gains if gains else ot.metrics) if v.name == name), None)


def gain_by_year(g: YearValues) -> list[float]:
    """A party's gain over no deal in each year (the series holds the gain with the deal, and 0
    or the no-deal reference without it)."""
    deal = g.deal or [0.0] * len(g.no_deal)
    return [d - n for d, n in zip(deal, g.no_deal)]


def gain_sum(g: YearValues) -> float | None:
    if g.deal_sum is None:
        return None
    return g.deal_sum - (g.no_deal_sum or 0.0)


# -- the path: what changes in which year ---------------------------------------------------------

def year_changes(r: Results) -> list[tuple[int, list[str]]]:
    """[(year, [what changes that year])] for every year: the first year against no deal (each
    lever's no-deal setting, `Results.lever_context`), each later year against the year before."""
    ot = r.over_time
    if ot is None:
        return []
    no_deal = {(c.name, c.index): (c.no_deal, c.no_deal_choice) for c in r.lever_context}
    by_year: dict[int, dict[tuple[str, str], YearLever]] = {}
    for lv in ot.levers:
        by_year.setdefault(lv.year, {})[(lv.name, lv.index)] = lv
    out = []
    before: dict[tuple[str, str], YearLever] | None = None
    for year in ot.years:
        now = by_year.get(year, {})
        said = []
        for key, lv in now.items():
            if before is None:
                nd, nd_choice = no_deal.get(key, (None, None))
                if nd is None:          # no known no-deal setting: a lever in use counts as a change
                    if lv.choice is None and abs(lv.value) < 1e-9:
                        continue
                    said.append(f"{lv.label}: {setting(lv.value, lv.unit, lv.choice)}")
                elif _moved(lv.value, nd) or nd_choice != lv.choice:
                    said.append(f"{lv.label}: {setting(lv.value, lv.unit, lv.choice)} "
                                f"(no deal: {setting(nd, lv.unit, nd_choice)})")
            else:
                prev = before.get(key)
                if prev is None:
                    if lv.choice is None and abs(lv.value) < 1e-9:
                        continue
                    said.append(f"{lv.label}: {setting(lv.value, lv.unit, lv.choice)}")
                elif _moved(lv.value, prev.value) or prev.choice != lv.choice:
                    said.append(f"{lv.label}: {setting(lv.value, lv.unit, lv.choice)} "
                                f"(from {setting(prev.value, prev.unit, prev.choice)})")
        if before is not None:          # a lever the year before that is gone now
            for key, prev in before.items():
                if key not in now and not (prev.choice is None and abs(prev.value) < 1e-9):
                    said.append(f"{prev.label}: no longer set (was {setting(prev.value, prev.unit, prev.choice)})")
        out.append((year, said))
        before = now
    return out


def schedule_lines(ot: OverTime) -> list[str]:
    """'Home tariff on cars: phased from 27.5% in 2026 to 15.0% in 2030 (linear path, chosen from 3)'."""
    out = []
    for s in ot.schedules:
        if not s.values:
            continue
        choices = s.choices if len(s.choices) == len(s.values) else [None] * len(s.values)
        shown = [setting(v, s.unit, c) for v, c in zip(s.values, choices)]
        named = s.path_label if s.path_label and s.path_label != s.path else f"{s.path.replace('_', ' ')} path"
        if s.level is not None:          # a scaled path: its shape at the level the model chose
            named += f" at a level of {setting(s.level, s.unit, None)}"
        how = f"{named}, " + ("fixed by the instance" if s.fixed else
                              f"chosen from {len(s.menu)}" if s.menu else "chosen by the model")
        years = ot.years[:len(s.values)]
        if len(set(shown)) == 1:
            out.append(f"**{s.label}**: {shown[0]} in every year ({how})")
            continue
        steps = [float(b) - float(a) for a, b in zip(s.values, s.values[1:]) if b != a]
        if any(x > 0 for x in steps) and any(x < 0 for x in steps):
            # up and down (e.g. deliveries that start and stop): each run of years at its value
            runs: list[tuple[int, int]] = []
            for i, v in enumerate(shown):
                if runs and shown[runs[-1][0]] == v:
                    runs[-1] = (runs[-1][0], i)
                else:
                    runs.append((i, i))
            said = [f"{shown[a]} in {years[a]}" if a == b else f"{shown[a]} in {years[a]}-{years[b]}" for a, b in runs]
            out.append(f"**{s.label}**: {', '.join(said)} ({how})")
            continue
        reach = len(shown) - 1          # the first year from which the value stays at its last
        while reach > 0 and shown[reach - 1] == shown[-1]:
            reach -= 1
        start = 0                        # the last year at the first value
        while start + 1 < len(shown) and shown[start + 1] == shown[0]:
            start += 1
        held = f" (held to {years[start]})" if start > 0 else ""
        out.append(f"**{s.label}**: from {shown[0]} in {years[0]}{held} to {shown[-1]} in {years[reach]}"
                   + (", then held" if years[reach] != years[-1] else "") + f" ({how})")
    return out


def change_lines(r: Results, max_years: int = MAX_YEARS) -> list[str]:
    """'2026, against no deal: ...', then '2027: ...' for each year in which a lever moves (the
    first `max_years` of them, the rest counted); the years in which nothing moves said together."""
    out, still = [], []
    for k, (year, said) in enumerate(year_changes(r)):
        if not said:
            if k:
                still.append(year)
            continue
        more = len(said) - MAX_CHANGES
        text = "; ".join(said[:MAX_CHANGES]) + (f"; and {more} more (over_time_levers.csv)" if more > 0 else "")
        out.append(f"**{year}**{', against no deal' if k == 0 else ''}: {text}")
    if len(out) > max_years:
        out = out[:max_years] + [f"and {len(out) - max_years} more years with changes (over_time_levers.csv "
                                 "lists every lever in every year)"]
    if still:
        out.append("Nothing changes in " + _year_runs(still))
    return out


def _year_runs(years: list[int]) -> str:
    """[2029, 2030, 2031, 2034] -> '2029 to 2031 and 2034'."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    said = [str(run[0]) if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs]
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]


def present_value_line(r: Results) -> str:
    """Each party's gain over no deal and the deficit, as present values over the horizon."""
    ot = r.over_time
    if ot is None:
        return ""
    parts = []
    for g in ot.gains:
        total = gain_sum(g)
        if total is not None and g.name in r.instance.parties:
            parts.append(f"{possessive(r.instance.parties[g.name])} gain over no deal by its {measure(r, g.name)} "
                         f"{money(total, True)}")
    d = _series(ot, "deficit")
    if d is not None and d.no_deal_sum is not None:
        if d.deal_sum is not None and r.has_deal:
            parts.append(f"the deficit {money(d.deal_sum)} with the deal against {money(d.no_deal_sum)} with no deal "
                         f"({money(d.deal_sum - d.no_deal_sum, True)})")
        else:
            parts.append(f"the deficit with no deal {money(d.no_deal_sum)}")
    if not parts:
        return ""
    return (f"**Present values** at {rate_said(ot.discount_rate)} a year, in {ot.first_year} dollars, over "
            f"{years_said(ot)}: " + "; ".join(parts))


def measure(r: Results, party: str) -> str:
    """The measure a party's gain over the years is counted in: the one participation holds it to
    (its payoff unless the instance says welfare)."""
    return r.instance.participation_measure.get(party, "payoff")


def discount_source(r: Results) -> str:
    """The discount rate's source as the instance cites it (its citation, then its key), else the key."""
    ot = r.over_time
    assert ot is not None
    row = next((i for i in r.inputs if i.path == "horizon.discount_rate"), None)
    if row is None or not row.citation:
        return ot.discount_source
    return f"{row.citation} [{row.source}]"


def path_lines(r: Results, max_years: int = MAX_YEARS) -> tuple[str, list[str]]:
    """The first screen's part for a deal over time: (its lead sentence, its items); ('', [])
    for a one-year instance. `max_years`: years with changes listed (the rest counted)."""
    ot = r.over_time
    if ot is None:
        return "", []
    lead = (f"**The deal over time**, {years_said(ot)}: the tables and balances describe {ot.last_year}, the last "
            "year (the deal fully phased in); the years before are in 'The deal over time' below."
            if r.has_deal else
            f"**Over time**, {years_said(ot)}: the tables describe {ot.last_year}, the last year.")
    items = schedule_lines(ot) + change_lines(r, max_years) if r.has_deal else []
    pv = present_value_line(r)
    return lead, items + ([pv] if pv else [])


def path_markdown(r: Results) -> str:
    lead, items = path_lines(r)
    if not lead:
        return ""
    return lead + ("\n\n" + "\n".join(f"- {t}." for t in items) if items else "")


# -- the section: each year, and the sums ---------------------------------------------------------

def year_table(r: Results) -> tuple[list[str], list[list[str]]]:
    """(header, rows): each year's discount factor, deficit with and without the deal and each
    party's gain; the last row the present values (the discount factors' sum: the annuity factor)."""
    ot = r.over_time
    assert ot is not None
    d = _series(ot, "deficit")
    gains = [g for g in ot.gains if g.name in r.instance.parties]
    head = ["year", "discount factor"]
    if d is not None:
        head += ["deficit, no deal"] + (["deficit, deal", "deal - no deal"] if r.has_deal and d.deal else [])
    head += [f"{possessive(r.instance.parties[g.name])} gain ({measure(r, g.name)})" for g in gains] \
        if r.has_deal else []
    rows = []
    for i, year in enumerate(ot.years):
        row = [str(year), f"{ot.discount_factors[i]:.4f}"]
        if d is not None:
            row.append(money(d.no_deal[i]))
            if r.has_deal and d.deal:
                row += [money(d.deal[i]), money(d.deal[i] - d.no_deal[i], True)]
        if r.has_deal:
            row += [money(gain_by_year(g)[i], True) for g in gains]
        rows.append(row)
    pv = [f"**present value** ({ot.first_year} dollars)", f"{sum(ot.discount_factors):.4f}"]
    if d is not None:
        pv.append(money(d.no_deal_sum))
        if r.has_deal and d.deal:
            pv += [money(d.deal_sum), money((d.deal_sum or 0.0) - (d.no_deal_sum or 0.0), True)
                   if d.deal_sum is not None and d.no_deal_sum is not None else "n/a"]
    if r.has_deal:
        pv += [money(gain_sum(g), True) for g in gains]
    rows.append(pv)
    return head, rows


def _sum_cell(v: YearValues, which: str) -> str:
    values = v.deal if which == "deal" else v.no_deal
    total = v.deal_sum if which == "deal" else v.no_deal_sum
    if values is None:
        return "n/a"
    if v.summed == "none" or total is None:      # a rate: the first and the last year, not a sum
        return f"{amount(values[0], v.unit)} to {amount(values[-1], v.unit)}"
    return amount(total, v.unit)


def indexed(name: str) -> bool:
    """A metric of one segment, good or country ('imports_units[suv]'): in the CSV files, not the section's table."""
    return name.endswith("]") and "[" in name


def quota_table(r: Results) -> tuple[list[str], list[list[str]]]:
    """(header, rows): each year's quotas and export restraints (fill, rent and its holder, tariff
    equivalent), for a quota or restraint that changes by year; ([], []) without any."""
    ot = r.over_time
    if ot is None or not ot.quotas:
        return [], []
    rows = [[str(q.year), x.label, x.kind, value(x.quota, "vehicles"),
             f"{min(x.imports, x.quota) / x.quota:.0%}" if x.quota else "n/a", money(x.rent),
             x.rent_holder.replace("_", " "), f"{x.tariff_equivalent:.1%}"] for q in ot.quotas for x in (q.quota,)]
    return ["year", "tariff line", "kind", "quota", "filled", "rent", "held by", "tariff equivalent"], rows


def sums_table(r: Results) -> tuple[list[str], list[list[str]]]:
    """(header, rows): every metric that is not zero throughout, summed over the horizon as it
    adds up (money as a present value, volumes as a total); a rate is not summed: its first and
    last year are shown."""
    ot = r.over_time
    assert ot is not None
    deal = r.has_deal
    head = ["metric", "over the years", "no deal"] + (["deal", "deal - no deal"] if deal else [])
    rows = []
    for v in ot.metrics:
        if v.name in GAIN_ONLY or indexed(v.name) or all(abs(x) < 1e-9 for x in v.no_deal + (v.deal or [])):
            continue
        how = SUMMED_WORDS.get(v.summed, v.summed) + (" (job-years)" if v.unit == "jobs" else "")
        if v.summed == "none" or v.no_deal_sum is None:
            how = f"not summed ({ot.first_year} to {ot.last_year})"
        row = [v.label, how, _sum_cell(v, "no_deal")]
        if deal:
            row.append(_sum_cell(v, "deal"))
            if v.summed != "none" and v.deal_sum is not None and v.no_deal_sum is not None:
                row.append(change(v.deal_sum - v.no_deal_sum, v.unit))
            elif v.deal:
                row.append(f"{change(v.deal[-1] - v.no_deal[-1], v.unit)} in {ot.last_year}")
            else:
                row.append("n/a")
        rows.append(row)
    return head, rows


def section(r: Results) -> str:
    """'The deal over time': each year, the chart of the deficit path, and every metric over the horizon."""
    ot = r.over_time
    if ot is None:
        return ""
    head, rows = year_table(r)
    objective = ("the present value of its goal over the years" if ot.objective == "present_value"
                 else f"its goal in {ot.last_year}, the last year")
    participation = {"present_value": "in present value", "every_year": "in present value and in every year",
                     "none": "not at all"}.get(ot.participation, ot.participation)
    text = [f"## The deal over time, {years_said(ot)}",
            f"Each year against no deal. Money is in each year's dollars, discounted to {ot.first_year} at "
            f"{rate_said(ot.discount_rate)} a year (source: {discount_source(r)}): the discount factor of a year is "
            f"1 / (1 + {rate_said(ot.discount_rate)})^(year - {ot.first_year}), and a present value is the sum of "
            f"each year's figure times its factor. The model chose the deal by {objective}; participation was held "
            f"{participation}. The standard tables of this report describe {ot.last_year}, the last year.",
            table(head, rows)]
    if r.has_deal and _series(ot, "deficit") is not None:
        from model.reporting.charts import TITLES
        text.append(f"![{TITLES['over_time']}](over_time.svg)")
    head, rows = quota_table(r)
    if rows:
        text.append("Quotas and export restraints in each year: the quota's fill, its rent and who holds it, and "
                    f"its tariff equivalent (every figure in {QUOTAS_CSV}).")
        text.append(table(head, rows))
    head, rows = sums_table(r)
    if rows:
        text.append(f"Every metric over the years: money as a {pv_words(ot)}; volumes as a total; rates are not "
                    f"summed (their first and last year are shown; every year is in {CSV}, and each segment's, "
                    f"good's and country's metrics with their sums in {CSV} and {SUMS_CSV}). Each party's payoff is "
                    "given as its gain over no deal, in the table above.")
        text.append(table(head, rows))
    return "\n\n".join(text)


# -- the terminal ----------------------------------------------------------------------------------

def terminal_lines(r: Results) -> list[str]:
    """The first screen's part as plain lines (the terminal wraps and indents them)."""
    lead, items = path_lines(r)
    if not lead:
        return []
    lead = lead.replace("**", "")
    return [lead[0].lower() + lead[1:]] + [f"- {t}" for t in items]     # as the terminal's other headings


# -- the files: long form ------------------------------------------------------------------------

def _metric_name(v: YearValues, gain: bool) -> str:
    return f"{v.name}_gain" if gain and not v.name.endswith("_gain") else v.name


def frame(ot: OverTime) -> pd.DataFrame:
    """over_time.csv: one row per year and metric (each metric, then each party's gain over no
    deal): year, metric, label, unit, no_deal, deal (empty without a deal). Sums are not here:
    they are in over_time_sums.csv (`sums_frame`)."""
    rows = []
    series = [(v, False) for v in ot.metrics] + [(g, True) for g in ot.gains]
    for i, year in enumerate(ot.years):
        for v, gain in series:
            rows.append({"year": year, "metric": _metric_name(v, gain), "label": v.label, "unit": v.unit,
                         "no_deal": v.no_deal[i], "deal": v.deal[i] if v.deal is not None else None})
    return pd.DataFrame(rows, columns=["year", "metric", "label", "unit", "no_deal", "deal"])


def sums_frame(ot: OverTime) -> pd.DataFrame:
    """over_time_sums.csv: one row per metric that adds up over the years: metric, label, unit,
    summed ('present value', discounted to first_year at discount_rate, or 'total'), no_deal,
    deal. Rates and shares do not add up and have no row (each year is in over_time.csv)."""
    rows = []
    for v, gain in [(v, False) for v in ot.metrics] + [(g, True) for g in ot.gains]:
        if v.summed == "none" or v.no_deal_sum is None:
            continue
        rows.append({"metric": _metric_name(v, gain), "label": v.label, "unit": v.unit, "summed": v.summed,
                     "first_year": ot.first_year, "last_year": ot.last_year,
                     "discount_rate": ot.discount_rate if v.summed == "present value" else None,
                     "no_deal": v.no_deal_sum, "deal": v.deal_sum})
    return pd.DataFrame(rows, columns=["metric", "label", "unit", "summed", "first_year", "last_year",
                                       "discount_rate", "no_deal", "deal"])


def levers_frame(ot: OverTime) -> pd.DataFrame:
    """over_time_levers.csv: each lever's setting in each year: year, name, party, index, label,
    value, unit, choice, fixed; with the schedule (and its path) that sets it, where one does."""
    rows = [{"year": lv.year, "name": lv.name, "party": lv.party, "index": lv.index, "label": lv.label,
             "value": lv.value, "unit": lv.unit, "choice": lv.choice, "fixed": lv.fixed} for lv in ot.levers]
    return pd.DataFrame(rows, columns=["year", "name", "party", "index", "label", "value", "unit", "choice", "fixed"])


def quotas_frame(ot: OverTime) -> pd.DataFrame:
    """over_time_quotas.csv: each year's quotas and export restraints, one row per year and line
    (the year, then results.json's quota fields)."""
    from model.results import rounded
    return pd.DataFrame([{"year": q.year, **rounded(q.quota)} for q in ot.quotas])


def schedules_frame(ot: OverTime) -> pd.DataFrame:
    """Each schedule's path and its value in each year (long form): lever, label, path, fixed,
    menu (the paths it could choose from, ' | ' between), year, value, choice."""
    rows = []
    for s in ot.schedules:
        for i, v in enumerate(s.values):
            rows.append({"lever": s.lever, "label": s.label, "path": s.path, "fixed": s.fixed,
                         "menu": " | ".join(s.menu), "year": ot.years[i] if i < len(ot.years) else None,
                         "value": v, "unit": s.unit, "choice": s.choices[i] if i < len(s.choices) else None})
    return pd.DataFrame(rows, columns=["lever", "label", "path", "fixed", "menu", "year", "value", "unit", "choice"])
