"""A deal over several years: the `horizon:` block of an instance file, and each year's instance.

An instance with `horizon:` is negotiated over the years `first_year..last_year`. Each year is
the instance itself with three things changed (`year_instance`, a pure function):

- growth: each segment's home market (imports from the partner, home producers' sales, third
  countries' sales) is scaled by the segment's demand index for that year, a rate a year or an
  index given year by year (third countries grow with the segment unless `third_country_growth`
  states their own);
- schedules: a lever with a fixed schedule takes that year's value of its path (a fixed lever of
  that year); a lever whose path the model chooses from a menu is left free in each year and tied
  to the menu by the multi-year model (`optimization.horizon`);
- red lines `over: horizon` (the sum over the years) and, unless `participation: every_year`,
  participation are left to the multi-year model, which states them over the years.

Money adds up over the years in present value at the horizon's discount rate (each year's
factor is 1 / (1 + r)^(year - first_year)); volumes add up undiscounted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from model.data.fields import Q, Strict, quantity, text

__all__ = ["Growth", "GrowthSpec", "Horizon", "HorizonSpec", "LeverSchedule", "PathSpec", "ScheduleSpec",
           "discount_factors", "read_horizon", "year_instance"]

YEARS = (1900, 2200)          # the years a horizon may cover
MAX_YEARS = 100               # ... and at most this many of them


# -- the format --------------------------------------------------------------------------------
class GrowthSpec(Strict):
    """How a segment's home market (or a third country's sales) grows over the horizon: a
    `rate` a year, compounded from the first year, or an `index` for every year of the horizon
    (1 or 100% = the instance's own data)."""

    rate: Q | None = quantity("Growth a year, compounded from the first year (the first year is the instance's "
                              "data): the year t's index is (1 + rate)^(t - first_year).", "share", gt=-1, lt=1,
                              drawable=True, default=None)
    index: dict[int, Q] | None = quantity("Year -> the market's size against the instance's data (1 or 100%: as "
                                          "stated); every year of the horizon must be given.", "share", gt=0,
                                          le=100, default=None)


class PathSpec(Strict):
    """One path a lever may follow over the years. A value is written as `fixed_levers` writes
    that lever (a tariff as a rate or an option name, a purchase as units, an NTB relief as
    true/false). Either `values` (steps: each value holds from its year until the next year
    given; the first year of the horizon must be given), or `start` and `end` with a `shape`:
    `linear` (amounts only: from `start` in `start_year` to `end` in `end_year`, straight
    between them) or `phase_out` (`start` until the year before `phase_out_year`, `end` from it)."""

    label: str | None = text("How reports name the path (default: its key).", default=None)
    values: dict[int, Any] | None = text("Year -> the lever's value from that year on (steps).", default=None)
    start: Any = text("The value at the start (with `shape`).", default=None)
    end: Any = text("The value at the end (with `shape`).", default=None)
    shape: Literal["linear", "phase_out"] | None = text(
        "`linear` (amounts only) or `phase_out` (any lever: `start`, then `end` from `phase_out_year`).",
        default=None)
    start_year: int | None = text("`linear`: the year the path leaves `start` (default: the first year).",
                                  default=None)
    end_year: int | None = text("`linear`: the year it reaches `end` (default: the last year).", default=None)
    phase_out_year: int | None = text("`phase_out`: the first year at `end`.", default=None)
    scaled: bool = text("Amounts only: the path is a shape and the model chooses its level L, from 0 to the "
                        "lever's own limit: in year t the lever is L x value(t) / the path's largest value (so "
                        "values 1, 2, 3 rise in equal steps to L, and a single value holds L every year).",
                        default=False)


class ScheduleSpec(Strict):
    """A lever's schedule over the horizon: a menu of named paths the model chooses one of, or
    one path fixed (`fixed`: its name). A lever without a schedule is chosen freely each year."""

    lever: str = text("The lever: its `fixed_levers` section and key, e.g. `tariff.cars`, `purchases.us_rice`, "
                      "`ntb.us_safety_standards`, `commitments.toyota_dealers.suv`.")
    label: str | None = text("How reports name the schedule (default: the lever's label).", default=None)
    paths: dict[str, PathSpec] = text("Path key -> a path; the model chooses one unless `fixed` names one.")
    fixed: str | None = text("The key of the path the deal follows (the model may not choose another).",
                             default=None)


class HorizonSpec(Strict):
    """The years a deal runs over, how they add up, and how the data and levers move over them.
    Without it the instance is one year, as it always was."""

    first_year: int = text("The first year of the deal (the instance's data are this year's).",
                           ge=YEARS[0], le=YEARS[1])
    last_year: int = text("The last year (at least `first_year`).", ge=YEARS[0], le=YEARS[1])
    discount_rate: Q = quantity("The real discount rate a year for present values (OMB Circular A-4, 2023: 2%).",
                                "share", ge=0, lt=1, drawable=True)
    objective: Literal["present_value", "last_year"] = text(
        "What the instance's objective is applied to: its present value over the years (money discounted, volumes "
        "summed), or the last year's value (the deal fully phased in).", default="present_value")
    participation: Literal["present_value", "every_year"] = text(
        "Each party's gain over no deal must be >= 0 in present value, or also in every year (no year worse than no "
        "deal); `settings.participation` still decides whether participation applies at all.",
        default="present_value")
    growth: dict[str, GrowthSpec] = text("Segment -> the growth of its home market (default: none).",
                                         default_factory=dict)
    third_country_growth: dict[str, GrowthSpec] = text(
        "Third country -> the growth of its sales in every segment, instead of the segment's.", default_factory=dict)
    schedules: dict[str, ScheduleSpec] = text("Schedule key -> a lever's schedule.", default_factory=dict)


# -- the validated horizon -----------------------------------------------------------------------
@dataclass(frozen=True)
class LeverSchedule:
    """A lever's paths, each resolved to a value for every year (base units; an option's name; a bool)."""

    name: str                         # the schedule's key in the file
    lever: str                        # as written, e.g. 'tariff.cars'
    family: str                       # the lever family's name
    deal_field: str
    key: Any                          # the family's key
    label: str
    paths: dict[str, tuple]           # path key -> one value per year of the horizon
    path_labels: dict[str, str]
    fixed: str | None                 # the fixed path's key, or None: the model chooses
    scaled: frozenset = frozenset()   # paths that are shapes (values in [0, 1]) whose level the model chooses

    @property
    def linked(self) -> bool:
        """Does the multi-year model tie this lever's years (a menu, or a fixed path whose level it chooses)?"""
        return self.fixed is None or self.fixed in self.scaled

    @property
    def considered(self) -> list[str]:
        """The paths the model may take: the menu, or the fixed one."""
        return list(self.paths) if self.fixed is None else [self.fixed]

    def value(self, path: str, years: list[int], year: int):
        return self.paths[path][years.index(year)]


@dataclass(frozen=True)
class Growth:
    """A market's size by year against the instance's data: a rate a year, or an index per year."""

    rate: float | None = None
    index: tuple[float, ...] | None = None

    def factor(self, at: int) -> float:
        """The index `at` years after the first year."""
        if self.index is not None:
            return self.index[at]
        return (1.0 + (self.rate or 0.0)) ** at


@dataclass(frozen=True)
class Horizon:
    first_year: int
    last_year: int
    discount_rate: float              # a fraction a year
    discount_source: str
    objective: str = "present_value"
    participation: str = "present_value"
    growth: dict[str, Growth] = None  # type: ignore[assignment]         # segment -> its home market's growth
    third_growth: dict[str, Growth] = None  # type: ignore[assignment]   # country -> its sales' growth
    schedules: tuple[LeverSchedule, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "growth", dict(self.growth or {}))
        object.__setattr__(self, "third_growth", dict(self.third_growth or {}))

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def factors(self) -> list[float]:
        return discount_factors(self.discount_rate, self.years)

    def schedule_of(self, deal_field: str, key) -> LeverSchedule | None:
        return next((s for s in self.schedules if s.deal_field == deal_field and s.key == key), None)


def discount_factors(rate: float, years: list[int]) -> list[float]:
    """1 / (1 + r)^(t - t0) for each year t (t0 the first)."""
    return [1.0 / (1.0 + rate) ** (t - years[0]) for t in years]


# -- each year's instance --------------------------------------------------------------------
def year_instance(inst, year: int):
    """The instance of one year of its horizon: growth applied to the segments, fixed schedules'
    values fixed, red lines over the horizon left out (the multi-year model states them), and
    participation per year only under `participation: every_year` (or in a one-year horizon, where
    it is the present value's). Without a horizon: `inst`."""
    hz: Horizon | None = inst.horizon
    if hz is None:
        return inst
    if not hz.first_year <= year <= hz.last_year:
        raise ValueError(f"{year} is outside the horizon {hz.first_year}-{hz.last_year}")
    at = year - hz.first_year
    segments = {s: _grown(g, hz.growth[s].factor(at) if s in hz.growth else 1.0,
                          {c: f.factor(at) for c, f in hz.third_growth.items()})
                for s, g in inst.segments.items()}
    fixed = inst.fixed
    for sch in hz.schedules:
        if sch.fixed is not None and not sch.linked:
            values = dict(fixed.values(sch.deal_field))
            values[sch.key] = sch.paths[sch.fixed][at]
            fixed = fixed.with_values(sch.deal_field, values)
    settings = inst.settings
    if hz.participation != "every_year" and hz.last_year > hz.first_year:
        settings = replace(settings, participation=False)
    return replace(inst, segments=segments, fixed=fixed, settings=settings, horizon=None,
                   red_lines=tuple(r for r in inst.red_lines if r.over != "horizon"),
                   calibration={}, uncertainty=())


def _grown(g, factor: float, third: dict[str, float]):
    """A segment's home market scaled by `factor` (its third countries' sales by their own where given)."""
    if factor == 1.0 and not third:
        return g
    arm = g.armington
    if arm is not None:
        suppliers = tuple(replace(s, imports=s.imports * third.get(s.country, factor)) for s in arm.suppliers)
        arm = replace(arm, home_sales=arm.home_sales * factor, suppliers=suppliers)
    return replace(g, imports=g.imports * factor, armington=arm)


# -- reading the block (by the loader's Builder) -------------------------------------------------
def read_horizon(reader, spec: HorizonSpec | None, inst, families) -> Horizon | None:
    """The validated horizon, every problem reported through `reader.error` (file, field, what)."""
    if spec is None:
        return None
    p = "horizon"
    first, last = spec.first_year, spec.last_year
    if last < first:
        reader.error(f"{p}.last_year", f"the last year ({last}) is before the first ({first})",
                     hint="give last_year >= first_year")
        return None
    if last - first + 1 > MAX_YEARS:
        reader.error(f"{p}.last_year", f"a horizon of {last - first + 1} years is too long (at most {MAX_YEARS})")
        return None
    years = list(range(first, last + 1))
    rate = reader.field(spec, "discount_rate", p)
    growth = {}
    for s, g in spec.growth.items():
        if reader.ref(s, inst.segments, f"{p}.growth.{s}", "segment"):
            growth[s] = _index(reader, g, f"{p}.growth.{s}", years)
    third = {}
    for c, g in spec.third_country_growth.items():
        if reader.ref(c, inst.third_countries, f"{p}.third_country_growth.{c}", "third country"):
            third[c] = _index(reader, g, f"{p}.third_country_growth.{c}", years)
    schedules = []
    for name, given in spec.schedules.items():
        sch = _schedule(reader, name, given, f"{p}.schedules.{name}", inst, families, years)
        if sch is not None:
            schedules.append(sch)
    seen: dict = {}
    for sch in schedules:
        if (sch.deal_field, sch.key) in seen:
            reader.error(f"{p}.schedules.{sch.name}.lever", f"lever '{sch.lever}' already has a schedule "
                         f"('{seen[sch.deal_field, sch.key]}'): one schedule a lever")
        seen[sch.deal_field, sch.key] = sch.name
        if sch.key in inst.fixed.values(sch.deal_field):
            reader.error(f"{p}.schedules.{sch.name}.lever", f"lever '{sch.lever}' is fixed in 'fixed_levers' and "
                         "scheduled here", hint="remove it from fixed_levers, or give the schedule a 'fixed' path")
    return Horizon(first, last, rate, spec.discount_rate.source, spec.objective, spec.participation,
                   growth, third, tuple(schedules))


def _index(reader, g: GrowthSpec, path: str, years: list[int]) -> Growth:
    if (g.rate is None) == (g.index is None):
        reader.error(path, "give either 'rate' (growth a year) or 'index' (the size year by year)")
        return Growth()
    if g.rate is not None:
        return Growth(rate=reader.field(g, "rate", path))
    assert g.index is not None
    from model.data.fields import declared
    decl = declared(GrowthSpec, "index")
    given = {t: reader.q(q, f"{path}.index.{t}", decl) for t, q in g.index.items()}
    outside = sorted(t for t in given if t not in years)
    if outside:
        reader.error(f"{path}.index.{outside[0]}", f"year {outside[0]} is outside the horizon "
                     f"{years[0]}-{years[-1]}")
    missing = [t for t in years if t not in given]
    if missing:
        reader.error(f"{path}.index", f"no index for {_years_words(missing)}: give every year of the horizon "
                     f"{years[0]}-{years[-1]}", hint="or give a 'rate' a year instead")
    return Growth(index=tuple(given.get(t, 1.0) for t in years))


def _years_words(years: list[int]) -> str:
    return "year " + str(years[0]) if len(years) == 1 else "years " + ", ".join(str(t) for t in years)


def _schedule(reader, name: str, s: ScheduleSpec, path: str, inst, families, years: list[int]):
    section, _, rest = s.lever.partition(".")
    family = next((f for f in families if f.section == section and f.deal_entry is not None), None)
    if family is None or not rest:
        known = [f.section for f in families if f.deal_entry is not None]
        reader.error(f"{path}.lever", f"'{s.lever}' is not a lever: write its fixed_levers section and key, "
                     "e.g. 'tariff.cars'", hint="sections: " + ", ".join(known))
        return None
    if not s.paths:
        reader.error(f"{path}.paths", "a schedule needs at least one path")
        return None
    if s.fixed is not None and s.fixed not in s.paths:
        reader.error(f"{path}.fixed", f"no path '{s.fixed}' in this schedule's paths",
                     hint="one of: " + ", ".join(s.paths))
        return None
    ok = True
    paths: dict[str, tuple] = {}
    scaled: set[str] = set()
    key = None
    for pname, ps in s.paths.items():
        pp = f"{path}.paths.{pname}"
        values = _path_values(reader, ps, pp, years, lambda v, where: _lever_value(reader, family, rest, v, where,
                                                                                   inst))
        if values is None:
            ok = False
            continue
        keys = {k for k, _ in values}
        if len(keys) != 1:
            reader.error(f"{pp}", f"'{s.lever}' names {len(keys)} levers: a schedule is one lever's",
                         hint="name one tariff line, good, measure or channel and segment")
            ok = False
            continue
        key = keys.pop()
        paths[pname] = tuple(v for _, v in values)
        if ps.scaled:
            top = max(paths[pname]) if family.kind == "quantity" else 0.0
            if family.kind != "quantity":
                reader.error(f"{pp}.scaled", "only an amount's path can be scaled (a tariff line's options or a "
                             "yes/no relief have no level)")
                ok = False
            elif not math.isfinite(family.upper(inst, key)):
                reader.error(f"{pp}.scaled", f"a scaled path's level is chosen up to the lever's own limit, and "
                             f"'{s.lever}' has none ({family.limit_field(key)}: unlimited)",
                             hint="give the lever a limit, or give the path's amounts themselves")
                ok = False
            elif top <= 0:
                reader.error(f"{pp}.values", "a scaled path needs a value above zero (its shape is value / largest)")
                ok = False
            else:
                paths[pname] = tuple(v / top for v in paths[pname])
                scaled.add(pname)
            continue
        if family.kind == "quantity":
            upper = family.upper(inst, key)
            over = [(t, v) for t, v in zip(years, paths[pname]) if v > upper * (1 + 1e-12)]
            if over:
                reader.error(pp, f"in {over[0][0]} the path gives {over[0][1]:g}, above the lever's own limit "
                             f"{upper:g} ({family.limit_field(key)})")
                ok = False
    if not ok or key is None:
        return None
    label = s.label or family.label(inst, key)
    return LeverSchedule(name, s.lever, family.name, family.deal_field, key, label, paths,
                         {k: v.label or k for k, v in s.paths.items()}, s.fixed, frozenset(scaled))


def _path_values(reader, ps: PathSpec, pp: str, years: list[int], read) -> list | None:
    """[(key, value)] for each year of the horizon, or None (errors reported)."""
    if (ps.values is None) == (ps.shape is None):
        reader.error(pp, "give either 'values' (year -> value) or 'start', 'end' and 'shape'")
        return None
    if ps.values is not None:
        outside = sorted(t for t in ps.values if t not in years)
        if outside:
            reader.error(f"{pp}.values.{outside[0]}", f"year {outside[0]} is outside the horizon "
                         f"{years[0]}-{years[-1]}")
            return None
        if years[0] not in ps.values:
            reader.error(f"{pp}.values", f"no value for the first year, {years[0]}: each value holds from its year "
                         "until the next one given")
            return None
        read_at = {t: read(v, f"{pp}.values.{t}") for t, v in sorted(ps.values.items())}
        if any(v is None for v in read_at.values()):
            return None
        out, current = [], None
        for t in years:
            current = read_at.get(t, current)
            out.append(current)
        return out
    for field in ("start", "end"):
        if getattr(ps, field) is None:
            reader.error(f"{pp}.{field}", f"a '{ps.shape}' path needs '{field}'")
            return None
    start, end = read(ps.start, f"{pp}.start"), read(ps.end, f"{pp}.end")
    if start is None or end is None:
        return None
    if start[0] != end[0]:
        reader.error(pp, "'start' and 'end' name different levers")
        return None
    if ps.shape == "phase_out":
        t1 = ps.phase_out_year
        if t1 is None:
            reader.error(f"{pp}.phase_out_year", "a 'phase_out' path needs 'phase_out_year' (the first year at 'end')")
            return None
        if not years[0] <= t1 <= years[-1] + 1:
            reader.error(f"{pp}.phase_out_year", f"{t1} is outside the horizon {years[0]}-{years[-1]} (or the year "
                         "after it: never phased out within it)")
            return None
        return [start if t < t1 else end for t in years]
    a, b = ps.start_year or years[0], ps.end_year or years[-1]
    for field, t in (("start_year", a), ("end_year", b)):
        if t not in years:
            reader.error(f"{pp}.{field}", f"{t} is outside the horizon {years[0]}-{years[-1]}")
            return None
    if b <= a:
        reader.error(f"{pp}.end_year", f"end_year ({b}) must be after start_year ({a})")
        return None
    if not all(isinstance(v[1], float) for v in (start, end)):
        reader.error(f"{pp}.shape", "a 'linear' path moves an amount; a tariff line's options or a yes/no relief "
                     "cannot be interpolated", hint="use 'values' (steps) or 'shape: phase_out'")
        return None
    k = start[0]
    return [(k, start[1] if t <= a else end[1] if t >= b else start[1] + (end[1] - start[1]) * (t - a) / (b - a))
            for t in years]


def _lever_value(reader, family, rest: str, value, where: str, inst):
    """(key, value in base units) of one lever value written as `fixed_levers` writes it, or None."""
    raw: Any = value
    for part in reversed(rest.split(".")):
        raw = {part: raw}
    try:
        given = TypeAdapter(family.deal_entry[0]).validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        reader.error(where, f"not a value of '{family.section}.{rest}': {first['msg']}",
                     hint=f"write it as fixed_levers.{family.section}.{rest} is written")
        return None
    errors = len(reader.errors)
    got = family.read_deal(reader, given, where, inst, False)
    if len(reader.errors) > errors:
        return None
    if len(got) != 1:
        reader.error(where, f"'{family.section}.{rest}' names {len(got)} levers: a schedule is one lever's")
        return None
    k, v = next(iter(got.items()))
    if isinstance(v, bool) or isinstance(v, str):
        return k, v
    return k, float(v) if math.isfinite(float(v)) else v
