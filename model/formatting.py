"""Numbers formatted for reading: $41.07 bn, 1.50 M vehicles, 15.0%. Exact values stay in
results.json (12 significant digits); the CSV files hold them to CSV_DIGITS (`csv_number`)."""
from __future__ import annotations

import math


def money(v: float | None, signed: bool = False) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    if abs(v) < 0.5:          # solver noise around zero reads as $0, not -$0
        return "$0"
    sign = "-" if v < 0 else ("+" if signed and v > 0 else "")
    a = abs(v)
    for size, suffix, digits in ((1e9, " bn", 2), (1e6, " M", 1), (1e3, " k", 1)):
        if a >= size:
            return f"{sign}${a / size:,.{digits}f}{suffix}"
    return f"{sign}${a:,.0f}"


def count(v: float | None, unit: str = "vehicles", signed: bool = False) -> str:
    if v is None:
        return "n/a"
    sign = "-" if v < 0 else ("+" if signed and v > 0 else "")
    a = abs(v)
    if a >= 1e6:
        return f"{sign}{a / 1e6:,.2f} M {unit}"
    if a >= 100 or a == 0 or float(a).is_integer():
        return f"{sign}{a:,.0f} {unit}"
    return f"{sign}{a:,.2f} {unit}"


def share(v: float | None, signed: bool = False) -> str:
    if v is None:
        return "n/a"
    return f"{v * 100:+.1f}%" if signed else f"{v * 100:.1f}%"


def value(v: float | None, unit: str, signed: bool = False) -> str:
    """Format `v` in base `unit` (USD, vehicles, fraction, yes/no or a good's unit)."""
    if unit == "USD":
        return money(v, signed)
    if unit == "fraction":
        return share(v, signed)
    if unit == "yes/no":
        return "n/a" if v is None else ("yes" if v > 0.5 else "no")
    return count(v, unit, signed)


def per_unit(v: float | None, unit: str) -> str:
    """A shadow price: USD of deficit per unit of a bound."""
    if v is None:
        return "n/a"
    if unit == "fraction":
        return f"{money(v / 100)} per percentage point"
    if unit == "USD":
        return f"${v:,.3f} per $1"
    return f"{money(v)} per {unit.rstrip('s') if unit == 'vehicles' else unit}"


def share_of_draws(x: float) -> str:
    """A frequency: whole percent, one decimal near 0 and 100 so 'almost always' is not '100%'."""
    return f"{x:.1%}" if 0 < x < 0.01 or 0.99 < x < 1 else f"{x:.0%}"


CSV_DIGITS = 9      # significant digits of a number in a CSV file: past the solver's noise, and more than any
                    # figure a report shows (reports show at most 7: 1,376,800 vehicles; $24,000)


def csv_number(v):
    """A number as a CSV file holds it: rounded to CSV_DIGITS significant digits, a whole number
    written without '.0' (2039.999999999984 -> 2040, 0.15000000000000005 -> 0.15, -0.0 -> 0);
    anything else (text, a flag, None, NaN, infinity) unchanged.

    The rounding never changes a figure as the reports write it (`money`, `count`, `share`,
    `per_unit`, each over the range it is used for): where the rounded value could read differently (it lands on a half-way
    point such as 429,338.5, a power of ten where $999.9 M becomes $1.00 bn, or a whole
    number where 2.00 vehicles becomes 2), both are written in those forms and, if any
    differs, the value is kept as it is."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)):
        return v
    r = float(f"{v:.{CSV_DIGITS}g}")
    if r != v and _may_read_differently(r) and _as_reports_write(r) != _as_reports_write(v):
        return v
    return int(r) if r.is_integer() and abs(r) < 1e15 else r


def _may_read_differently(r: float) -> bool:
    """A rounded value on a half-way point (last significant digit 5), a power of ten or a whole number."""
    digits = f"{abs(r):.{CSV_DIGITS}e}".split("e")[0].replace(".", "").rstrip("0")
    return digits.endswith("5") or digits in ("1", "") or r.is_integer()


def _as_reports_write(v: float) -> tuple[str, ...]:
    """`v` in each form a report writes a number in, over the range that form is used for."""
    a = abs(v)
    return (money(v), per_unit(v, "fraction"),
            count(v) if a < 1e9 else "",                # amounts: below a billion vehicles, tonnes or aircraft
            share(v) if a < 1e3 else "",                # shares: below 100,000%
            per_unit(v, "USD") if a < 1e6 else "")      # a price per $1: never millions
