"""Numbers and names as people write them, for every report format.

`model.formatting` formats a value in its base unit ($41.07 bn, 1.50 M vehicles, 15.0%);
this module adds what a reader expects around it: changes of rates in percentage points
("+5.0 pp"), inputs in the unit they were written in ("-1.5 (elasticity)", "15%",
"$20,000 a vehicle", "250,000 vehicles a year"), plural units ("260,000 tonnes"), labels
without their parenthetical detail, and labels that differ only in it grouped
("Japan: cars pay at most 15% (compact cars, SUVs and crossovers)").
"""
from __future__ import annotations

import re
from collections import Counter

from model.formatting import count, money, share, value

PLURAL = {"tonne": "tonnes", "vehicle": "vehicles", "unit": "units", "barrel": "barrels", "head": "head"}


def plural(unit: str) -> str:
    return PLURAL.get(unit, unit)


def amount(v: float | None, unit: str, signed: bool = False) -> str:
    """A quantity with its unit in the plural where people write one ('260,000 tonnes')."""
    if unit in ("USD", "fraction", "yes/no"):
        return value(v, unit, signed)
    return count(v, plural(unit) if v is None or abs(v) != 1 else unit, signed)


def change(v: float | None, unit: str) -> str:
    """A signed difference: percentage points for rates ('+5.0 pp', never '+5.0%')."""
    if v is None:
        return "n/a"
    if unit == "fraction":
        if abs(v) < 5e-5:
            return "0 pp"
        return f"{v * 100:+.1f} pp"
    if unit == "yes/no":
        return "same" if abs(v) < 0.5 else ("now yes" if v > 0 else "now no")
    return amount(v, unit, signed=True)


def rate_setting(v: float | None, choice: str | None) -> str:
    """A tariff lever's setting: the rate for a flat option ('15.0%'), the option's label
    (a quota) otherwise."""
    if choice and not choice.startswith("flat "):
        return choice
    return share(v)


def short(label: str) -> str:
    """A label without its trailing parenthetical detail: "Toyota's Japanese dealer network
    (reimported US-built Camry, ...)" -> "Toyota's Japanese dealer network"."""
    cut = re.sub(r"\s*\([^()]*\)\s*$", "", label)
    return cut if cut.strip() else label


def group_labels(labels: list[str]) -> list[str]:
    """Labels that differ only in their trailing parenthesis merged into one, in first-seen
    order: 'X (a)', 'X (b)' -> 'X (a, b)'."""
    groups: dict[str, list[str]] = {}
    for label in labels:
        m = re.match(r"^(.*\S)\s*\(([^()]*)\)$", label)
        base, detail = (m.group(1), m.group(2)) if m else (label, None)
        groups.setdefault(base, [])
        if detail is not None:
            groups[base].append(detail)
    return [f"{base} ({', '.join(details)})" if details else base for base, details in groups.items()]


def input_value(path: str, v: float, unit: str) -> str:
    """An input as people write it: '15%' for shares and tariffs, '-1.5 (elasticity)',
    '-1 (weight)' for payoff weights, '$20,000 a vehicle', '$150.0 M', '250,000 vehicles a
    year', '600,000 tonnes'."""
    from model.data.units import dimension_of, unit_factor
    per_year = bool(re.search(r"(/year|/yr| a year| per year)$", unit))
    if unit == "1" or unit == "dimensionless":
        if "elasticity" in path.split("."):
            return f"{v:g} (elasticity)"
        if path.startswith("payoffs."):
            return f"{v:g} (weight)"
        return f"{v:g}"
    try:
        base = v * unit_factor(unit)
        dimension = dimension_of(unit)
    except (KeyError, ValueError):
        return f"{v:,.10g} {unit}"
    weight = " (weight)" if path.startswith("payoffs.") else ""
    if dimension == "share":
        return f"{base * 100:.4g}%"
    if dimension == "USD":
        return exact_money(base) + weight
    if "/" in unit and unit.upper().startswith(("USD", "$", "US$")) and not per_year:
        per = unit.split("/", 1)[1].strip().rstrip("s") or "unit"
        article = "an" if per[:1].lower() in "aeiou" else "a"
        return f"{exact_money(base)} {article} {per}{weight}"
    if dimension == "vehicles":
        return count(base, "vehicles") + (" a year" if per_year else "")
    written = re.sub(r"(/year|/yr| a year| per year)$", "", unit)
    return f"{v:,.10g} {plural(written)}" + (" a year" if per_year else "")


def input_range(path: str, low: float, high: float, unit: str, digits: int = 3) -> str:
    """'-2 to -0.8 (elasticity)', '30% to 80%', '8,000 to 40,000 vehicles a year': both ends
    as people write them (to `digits` significant digits), the unit said once."""
    a, b = (input_value(path, float(f"{v:.{digits}g}"), unit) for v in (low, high))
    for tail in (" (elasticity)", " (weight)", " vehicles a year", " vehicles", "%"):
        if a.endswith(tail) and b.endswith(tail) and tail != "%":
            return f"{a[:-len(tail)]} to {b}"
    return f"{a} to {b}"


def calibration_year(r) -> int | None:
    """The calibration year of an instance: the year its published calibration totals are
    for (`calibration:` inputs cite sources with a year), the most common one when they
    differ; None when the instance states none (no calibration, or only assumptions)."""
    years = Counter(i.year for i in r.inputs if i.path.startswith("calibration.") and i.year)
    if not years:
        return None
    return sorted(years.items(), key=lambda t: (-t[1], -t[0]))[0][0]


def calibration_name(r) -> str:
    """'2024' or 'the calibration year'."""
    year = calibration_year(r)
    return str(year) if year else "the calibration year"


# What a report without a deal says, by the solve's status: only a proven infeasibility is
# "no deal"; the others say why no deal is reported.
NO_DEAL = {"infeasible": "No deal", "unbounded": "No deal reported: the model is unbounded",
           "time_limit": "No deal found within the time limit", "error": "No deal reported: the solver failed"}


def no_deal_heading(status: str) -> str:
    """The heading of a report without a deal ('No deal' only when infeasible)."""
    return NO_DEAL.get(status, f"No deal reported ({status.replace('_', ' ')})")


def no_deficit(statuses: dict[str, int] | str | None) -> str:
    """What a table shows instead of a deficit when no verified deal came out: 'no deal' only
    when every solve was infeasible; else what happened ('unbounded', 'error 2, infeasible 1',
    'not verified' for a solution that failed verification)."""
    if isinstance(statuses, str) or statuses is None:
        statuses = {statuses or "unknown": 1}
    # A draw that solved but failed verification gave no deal to show either.
    words = {("not verified" if k == "optimal" else k): v for k, v in statuses.items() if v}
    if set(words) == {"infeasible"}:
        return "no deal"
    if len(words) == 1 and sum(words.values()) == 1:
        return next(iter(words)).replace("_", " ")
    return ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(words.items()))


def possessive(name: str) -> str:
    """'Japan' -> "Japan's", 'United States' -> "United States'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def exact_money(v: float) -> str:
    """Money as written in an instance: whole dollars below a million ('$24,000'), else $41.07 bn."""
    return f"-${abs(v):,.0f}" if -1e6 < v < 0 else f"${v:,.0f}" if abs(v) < 1e6 else money(v)


def party_name(r, party: str | None) -> str:
    return r.instance.parties.get(party, party or "") if party else ""


def without_party(label: str, name: str) -> str:
    """'Japan accepts US-certified vehicles' -> 'accepts US-certified vehicles' (for a clause
    after the party's name)."""
    for lead in (f"{name} ", f"{name}: ", f"{name}'s "):
        if label.startswith(lead) and lead != f"{name}'s ":
            return label[len(lead):]
    return label


# -- what participation required ----------------------------------------------------------------

def measured_by(measure: dict[str, str], parties: dict[str, str]) -> str:
    """' (each by its payoff, not its welfare)' or ' (United States by its welfare, Japan by its
    payoff)': the measure participation held each side to, and the one it did not."""
    kinds = {measure.get(p, "payoff") for p in ("home", "partner")}
    if len(kinds) == 1:
        kind = kinds.pop()
        return f" (each by its {kind}, not its {'welfare' if kind == 'payoff' else 'payoff'})"
    return " (" + ", ".join(f"{parties[p]} by its {measure.get(p, 'payoff')}" for p in ("home", "partner")) + ")"


def participation_said(required: bool, measure: dict[str, str], parties: dict[str, str]) -> str:
    """What participation required of every deal reported, or that it required nothing."""
    if required:
        return ("Participation was required: every deal reported leaves both sides at least as well off as no deal"
                + measured_by(measure, parties) + ".")
    return ("Participation was not required: a deal reported may leave either side worse off than no deal, so none "
            "is claimed to be one both sides prefer to no deal.")


# A bilateral balance in words where the results carry no name for it (results written by hand in tests).
BALANCE_WORDS = {"sector_deficit": "deficit in the modelled lines", "deficit": "deficit in the negotiated goods",
                 "all_goods_deficit": "deficit in all goods", "other_goods_deficit": "deficit in the goods not "
                 "negotiated"}


def balance_words(r, metric: str) -> str:
    """What a bilateral balance is, in words ('deficit in vehicles with Japan'; the instance's,
    `InstanceSummary.balances`), with the calibration year named where it is known."""
    words = r.instance.balances.get(metric) or BALANCE_WORDS.get(metric, metric)
    year = calibration_year(r)
    return words.replace("the calibration year's level", f"their {year} level") if year else words


def shown_balances(r) -> tuple[str, ...]:
    """The bilateral balances a report states, narrowest first: the modelled lines, the negotiated
    goods, and all goods where the instance gives `all_goods`."""
    names = {m.name for m in r.metrics}
    return tuple(m for m in (tuple(r.instance.balances) or ("sector_deficit", "deficit")) if m in names)
