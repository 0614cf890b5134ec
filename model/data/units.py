"""Units accepted in instance files, and their conversion to the model's base units.

Base units: vehicles (a year), USD (a year), fractions for shares and tariffs, plain
numbers for elasticities and weights. Annual flows may say '/year' (or 'per year',
'/yr', 'a year', 'p.a.') or not; the model is annual.

Each dimension has canonical units (`UNITS`, listed in error hints and in
docs/instance-format.md) and accepts the ways people write them: case does not matter;
shares as '%', 'percent', 'per cent', 'pct', 'fraction' or 'share'; money as a currency
word ('USD', 'US$', '$', 'dollars') with at most one scale word ('thousand'/'k',
'million'/'mn'/'m', 'billion'/'bn') in either order ('USD bn', 'bn USD', 'USD billion',
'$bn'); vehicles with a scale word ('thousand vehicles', 'k vehicles', 'million
vehicles'); prices as money '/' or 'per' one vehicle ('USD per vehicle', 'USD
thousand/vehicle'); a good's own count unit in singular or plural, with a scale word
('tonne', 'thousand tonnes'), and money per that unit ('USD million/aircraft').
Dimensions named `count:<unit>` and `USD/count:<unit>` are those of a good whose own
unit is `<unit>`.
"""
from __future__ import annotations

from functools import lru_cache

# dimension -> {canonical unit: factor to the base unit}
UNITS: dict[str, dict[str, float]] = {
    "vehicles": {"vehicles": 1.0, "thousand vehicles": 1e3, "million vehicles": 1e6},
    "USD": {"USD": 1.0, "USD thousand": 1e3, "USD million": 1e6, "USD billion": 1e9},
    "USD/vehicle": {"USD/vehicle": 1.0, "USD thousand/vehicle": 1e3},
    "share": {"%": 0.01, "fraction": 1.0},
    "elasticity": {"1": 1.0, "elasticity": 1.0},
    "weight": {"1": 1.0, "USD/USD": 1.0},
    "jobs": {"jobs": 1.0, "thousand jobs": 1e3},
    "jobs/vehicle": {"jobs/vehicle": 1.0, "jobs/thousand vehicles": 1e-3},
    "USD/job": {"USD/job": 1.0, "USD thousand/job": 1e3},
}

BASE_UNIT = {"vehicles": "vehicles", "USD": "USD", "USD/vehicle": "USD/vehicle",
             "share": "fraction", "elasticity": "1", "weight": "1", "jobs": "jobs", "jobs/vehicle": "jobs/vehicle",
             "USD/job": "USD/job"}

# Words accepted besides the canonical units (lower case; see the module docstring).
_PLAIN = {
    "share": {"%": 0.01, "percent": 0.01, "per cent": 0.01, "pct": 0.01, "fraction": 1.0, "share": 1.0},
    "elasticity": {"1": 1.0, "elasticity": 1.0, "dimensionless": 1.0},
    "weight": {"1": 1.0, "usd/usd": 1.0, "dimensionless": 1.0},
}
SCALES = {"thousand": 1e3, "thousands": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "mn": 1e6, "m": 1e6,
          "mio": 1e6, "billion": 1e9, "billions": 1e9, "bn": 1e9}
CURRENCY = {"usd", "$", "dollars", "dollar"}
VEHICLE = {"vehicles", "vehicle", "veh"}
JOBS = {"jobs", "job"}
_YEAR = ("/year", " per year", "/yr", " a year", " p.a.", "/y")

# Examples of accepted spellings, per dimension (for docs/instance-format.md).
ALIASES: dict[str, list[str]] = {
    "vehicles": ["vehicle", "vehicles/year", "k vehicles", "thousand vehicles/year", "million vehicles"],
    "USD": ["USD bn", "bn USD", "USD billion", "US$ billion", "$bn", "USD mn", "USD m", "million USD", "USD k"],
    "USD/vehicle": ["USD per vehicle", "$/vehicle", "USD k/vehicle"],
    "share": ["percent", "per cent", "pct", "share"],
    "elasticity": ["dimensionless"],
    "weight": ["dimensionless"],
    "jobs": ["job", "k jobs"],
    "jobs/vehicle": ["jobs per vehicle", "jobs per thousand vehicles"],
    "USD/job": ["USD per job", "USD k/job"],
}


def _strip_year(unit: str) -> str:
    """The unit without a 'per year' suffix, with single spaces."""
    unit = " ".join(unit.split())
    for suffix in _YEAR:
        if unit.lower().endswith(suffix):
            return unit[: -len(suffix)].strip()
    return unit


def _normal(unit: str) -> str:
    """Lower case, no 'per year', 'US$' and 'US dollars' as 'usd', '$' a word of its own."""
    u = _strip_year(unit).lower()
    for word in ("us dollars", "us dollar", "us$"):
        u = u.replace(word, " usd ")
    u = u.replace("$", " $ ")
    return " ".join(u.split())


def _scaled(text: str, words: set[str]) -> float:
    """'thousand vehicles' -> 1000 (with `words` the accepted nouns); KeyError if not."""
    tokens = text.split()
    if not tokens or tokens[-1] not in words:
        raise KeyError(text)
    if len(tokens) == 1:
        return 1.0
    if len(tokens) == 2 and tokens[0] in SCALES:
        return SCALES[tokens[0]]
    raise KeyError(text)


def _money(text: str) -> float:
    """'USD bn', 'bn USD', 'US$ million', '$' -> the factor to USD; KeyError if not money."""
    tokens = text.split()
    currency = [t for t in tokens if t in CURRENCY]
    scale = [t for t in tokens if t in SCALES]
    if len(currency) != 1 or len(scale) > 1 or len(currency) + len(scale) != len(tokens):
        raise KeyError(text)
    return SCALES[scale[0]] if scale else 1.0


def _per(text: str) -> tuple[str, str]:
    """'USD per vehicle' or 'USD/vehicle' -> ('usd', 'vehicle'); KeyError if no 'per'."""
    if "/" in text:
        money, _, per = text.partition("/")
    elif " per " in f" {text} ":
        money, _, per = f" {text} ".partition(" per ")
    else:
        raise KeyError(text)
    return money.strip(), per.strip()


def _count_words(count: str) -> set[str]:
    c = count.lower()
    return {c, c + "s", c[:-1] if c.endswith("s") else c}


def factor(unit: str, dimension: str) -> float:
    """Base units per `unit` for `dimension` (e.g. 'USD bn', 'USD' -> 1e9); KeyError if not accepted."""
    if not isinstance(unit, str):
        raise KeyError(unit)
    return _factor(unit, dimension)


@lru_cache(maxsize=4096)
def _factor(unit: str, dimension: str) -> float:
    u = _normal(unit)
    if dimension in _PLAIN:
        return _PLAIN[dimension][u]
    if dimension == "vehicles":
        return _scaled(u, VEHICLE)
    if dimension == "USD":
        return _money(u)
    if dimension == "USD/vehicle":
        money, per = _per(u)
        if per not in VEHICLE:
            raise KeyError(unit)
        return _money(money)
    if dimension == "jobs":
        return _scaled(u, JOBS)
    if dimension == "USD/job":
        money, per = _per(u)
        if per not in JOBS:
            raise KeyError(unit)
        return _money(money)
    if dimension == "jobs/vehicle" or dimension.startswith("jobs/count:"):   # jobs per unit built
        jobs, per = _per(u)
        words = VEHICLE if dimension == "jobs/vehicle" else _count_words(dimension[11:])
        return _scaled(jobs, JOBS) / _scaled(per, words)
    if dimension.startswith("count:"):           # a good's own count unit, e.g. 'aircraft'
        return _scaled(u, _count_words(dimension[6:]))
    if dimension.startswith("USD/count:"):       # money per unit of a good
        money, per = _per(u)
        if per not in _count_words(dimension[10:]):
            raise KeyError(unit)
        return _money(money)
    raise KeyError(dimension)


def to_base(value: float, unit: str, dimension: str) -> float:
    """Convert `value` in `unit` to the base unit of `dimension`; KeyError if not accepted."""
    return value * factor(unit, dimension)


def accepted(dimension: str) -> list[str]:
    """The canonical units a user may write for `dimension` (for error messages)."""
    if dimension.startswith("count:"):
        return [dimension[6:], f"thousand {dimension[6:]}"]
    if dimension.startswith("USD/count:"):
        return [f"USD/{dimension[10:]}", f"USD million/{dimension[10:]}"]
    if dimension.startswith("jobs/count:"):
        return [f"jobs/{dimension[11:]}", f"jobs/thousand {dimension[11:]}"]
    return list(UNITS[dimension])


def base_unit(dimension: str) -> str:
    """The base unit of `dimension` as a word ('fraction', 'vehicles', 'aircraft', ...)."""
    if dimension.startswith("count:"):
        return dimension[6:]
    if dimension.startswith("USD/count:"):
        return f"USD/{dimension[10:]}"
    if dimension.startswith("jobs/count:"):
        return f"jobs/{dimension[11:]}"
    return BASE_UNIT.get(dimension, dimension)


def dimension_of(unit: str) -> str | None:
    """The fixed dimension a unit belongs to, or None (a good's own unit, or unknown)."""
    for dimension in UNITS:
        try:
            factor(unit, dimension)
            return dimension
        except KeyError:
            continue
    return None


def unit_factor(unit: str) -> float:
    """Base units per written unit, whatever the dimension ('%' -> 0.01, 'USD bn' -> 1e9,
    'USD million/aircraft' -> 1e6, 'thousand tonnes' -> 1000, 'aircraft' -> 1)."""
    dimension = dimension_of(unit)
    if dimension is not None:
        return factor(unit, dimension)
    u = _normal(unit)
    try:
        money, _ = _per(u)
        return _money(money)
    except KeyError:
        pass
    tokens = u.split()
    return SCALES[tokens[0]] if len(tokens) == 2 and tokens[0] in SCALES else 1.0
