"""Numbers formatted for reading: $41.07 bn, 1.50 M vehicles, 15.0%. Exact values stay in json/csv."""
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
