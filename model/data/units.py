"""Units accepted in instance files, and their conversion to the model's base units.

Base units: vehicles (a year), USD (a year), fractions for shares and tariffs, plain
numbers for elasticities. Annual flows may say '/year' or not; the model is annual.
"""
from __future__ import annotations

# dimension -> {unit as written: factor to the base unit}
UNITS: dict[str, dict[str, float]] = {
    "vehicles": {"vehicles": 1.0, "thousand vehicles": 1e3, "million vehicles": 1e6},
    "USD": {"USD": 1.0, "USD thousand": 1e3, "USD million": 1e6, "USD billion": 1e9},
    "USD/vehicle": {"USD/vehicle": 1.0, "USD thousand/vehicle": 1e3},
    "share": {"%": 0.01, "fraction": 1.0},
    "elasticity": {"1": 1.0, "elasticity": 1.0},
    "weight": {"1": 1.0, "USD/USD": 1.0},
}

BASE_UNIT = {"vehicles": "vehicles", "USD": "USD", "USD/vehicle": "USD/vehicle",
             "share": "fraction", "elasticity": "1", "weight": "1"}


def _strip_year(unit: str) -> str:
    unit = " ".join(unit.split())
    for suffix in ("/year", " per year", "/yr", " a year"):
        if unit.endswith(suffix):
            return unit[: -len(suffix)].strip()
    return unit


def to_base(value: float, unit: str, dimension: str) -> float:
    """Convert `value` in `unit` to the base unit of `dimension`; KeyError if not accepted."""
    if dimension.startswith("count:"):           # a good's own count unit, e.g. 'aircraft'
        return value * _count_factor(unit, dimension[6:])
    if dimension.startswith("USD/count:"):       # value per unit of a good
        return value * _per_count_factor(unit, dimension[10:])
    return value * UNITS[dimension][_strip_year(unit)]


def accepted(dimension: str) -> list[str]:
    """The units a user may write for `dimension` (for error messages)."""
    if dimension.startswith("count:"):
        return [dimension[6:]]
    if dimension.startswith("USD/count:"):
        return [f"USD/{dimension[10:]}", f"USD million/{dimension[10:]}"]
    return list(UNITS[dimension])


def _count_factor(unit: str, count: str) -> float:
    if _strip_year(unit) == count:
        return 1.0
    raise KeyError(unit)


def _per_count_factor(unit: str, count: str) -> float:
    money, _, per = _strip_year(unit).partition("/")
    if per.strip() != count:
        raise KeyError(unit)
    return UNITS["USD"][money.strip()]
