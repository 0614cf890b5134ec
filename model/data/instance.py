"""Validated negotiation data: what the model is built from.

Every number here is in base units (vehicles a year, USD a year, fractions), already
checked by `model.data.loader`. Provenance (unit as written, source) is kept apart in
`Instance.inputs`, so the economics never touch it and reports can show all of it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

RENT_HOLDERS = ("government", "home_importers", "exporters")


@dataclass(frozen=True)
class TariffOption:
    """One tariff regime on a tariff line: a flat rate, a tariff-rate quota, or an export
    restraint. A quota is pooled over every segment on its line (one quantity for all).

    An export restraint is a quota with no imports above it (`rate` is infinite), whose
    in-quota imports pay each segment's calibration tariff and whose rent the exporters
    hold (a voluntary export restraint, like Japan's 1981 limit on cars to the US)."""

    name: str
    label: str
    rate: float                      # flat rate; for a quota, the out-of-quota rate (inf: none above)
    quota: float | None = None       # units a year over the line at `in_quota_rate`; None for flat
    in_quota_rate: float | None = None   # None with a quota: each segment's calibration tariff
    rent_holder: str = "exporters"   # who holds the quota rent: one of RENT_HOLDERS

    @property
    def is_quota(self) -> bool:
        return self.quota is not None

    @property
    def is_restraint(self) -> bool:
        return self.quota is not None and self.rate == float("inf")


@dataclass(frozen=True)
class TariffLine:
    """A legislated tariff line: one option from its menu applies to every segment on it.
    A menu marked `split` gives each of its segments a line of its own."""

    name: str
    label: str
    menu: str
    segments: tuple[str, ...]


class TariffLines(dict):
    """line name -> TariffLine, with the reverse map segment -> line built once."""

    def __init__(self, lines: dict[str, TariffLine] | None = None):
        super().__init__(lines or {})
        self.segment_line = {s: name for name, line in self.items() for s in line.segments}


@dataclass(frozen=True)
class ThirdSupply:
    """One third country's sales of a segment in the home market: a source of the segment's
    Armington composite (see `Armington`)."""

    country: str
    imports: float                   # units a year in the calibration year
    import_price: float              # customs value, USD a unit, in the calibration year
    tariff: float                    # the home tariff on them, with and without the deal
    base_tariff: float               # the home tariff on them in the calibration year
    pass_through: float | None = None   # imposed share of a tariff change reaching buyers (SMART style), or
    #                                     None: their supply curve decides it
    supply_elasticity: float = math.inf  # their export supply elasticity phi (inf: price fixed)
    own: tuple[str, ...] = ()        # fields set for this segment ('tariff', 'base_tariff', ...), not the country's
    margin: float = 0.0              # exporters' margin, a share of customs value (a unit lost costs them this)


@dataclass(frozen=True)
class Armington:
    """A segment's demand over its sources: home buyers choose how much of the segment to buy
    (overall demand elasticity eta: the segment's `elasticity`) and from which source
    (elasticity of substitution sigma between the partner, each third country and home
    producers; or GTAP's two levels, sigma between home producers and the imports'
    composite and `import_substitution` among imports). Under the linear response it is
    SMART's system instead, sigma its substitution elasticity. See `economics.nests`."""

    substitution: float                          # sigma > 0 (two-level nest: between home and imports, ESUBD)
    home_sales: float = 0.0                      # home producers' sales at home in the calibration year, units
    home_price: float = 0.0                      # their price, USD a unit
    home_supply_elasticity: float | None = None  # None: perfectly elastic home supply (price fixed)
    suppliers: tuple[ThirdSupply, ...] = ()
    import_substitution: float | None = None     # among import sources (ESUBM); None: one level, = substitution


@dataclass(frozen=True)
class ThirdCountry:
    """A third-country supplier of the home market (not a party to the negotiation)."""

    name: str
    label: str
    tariff: float                    # its default home tariff with and without the deal
    base_tariff: float               # in the calibration year
    pass_through: float | None = None    # imposed pass-through (None: from its supply curve)
    exports_value: float = 0.0       # home exports to it in the negotiated goods, USD a year (fixed)
    supply_elasticity: float = math.inf  # its exporters' supply elasticity (segments may set their own)
    margin: float = 0.0              # its exporters' margin, a share of customs value
    exports_given: bool = False      # exports_value stated (else the balance with it is its imports alone)


@dataclass(frozen=True)
class AllGoods:
    """The partner's whole goods trade with the home country in the calibration year, USD a
    year: what the balance in all goods starts from. The goods not negotiated (this total less the
    modelled lines' calibration-year values) are held at that level, a stated background."""

    imports: float                   # home imports from the partner, all goods
    exports: float                   # home exports to the partner, all goods


@dataclass(frozen=True)
class Segment:
    """A vehicle segment's calibration-year data (imports from partner, exports to partner)."""

    name: str
    label: str
    tariff_menu: str
    base_tariff: float               # tariff in the calibration year
    imports: float                   # vehicles a year from partner
    import_price: float              # customs value, USD a vehicle
    exports: float                   # home-made vehicles sold in partner's market a year
    export_price: float              # USD a vehicle
    elasticity: float                # of home import demand, < 0 (Armington: the composite's eta)
    pass_through: float | None       # imposed share of a tariff change passed to buyers (SMART style), or
    #                                  None: derived from the partner's supply curve
    partner_ceiling: float           # partner buyers' ceiling for home-made vehicles, a year
    partner_margin: float            # partner exporter's margin, USD a vehicle at baseline
    home_substitution: float         # share of lost imports replaced by home-built vehicles (one-partner form)
    displacement: float              # partner domestic sales displaced per home-made vehicle sold there
    unit: str = "vehicles"                   # the count unit of its quantities
    partner_tariff_menu: str | None = None   # the partner's tariff line menu on home-made goods, if negotiated
    partner_base_tariff: float = 0.0         # t0p
    export_elasticity: float = 0.0           # ep < 0 (0: exports do not respond)
    export_pass_through: float = 1.0         # pp
    armington: Armington | None = None       # nested CES over sources; None: the one-partner form
    partner_supply_elasticity: float = math.inf   # the partner exporters' supply elasticity phi (inf: price fixed)


@dataclass(frozen=True)
class RedLine:
    """A party's political limit on one metric: `metric sense bound`."""

    name: str
    label: str
    party: str
    metric: str                      # scalar metric, or indexed one such as 'tariff_rate[compact]'
    sense: str                       # '<=' or '>='
    bound: float                     # absolute, or a multiplier of the reference value
    relative_to: str | None          # None, 'baseline' or 'no_deal'
    reason: str
    # The instance file's entry this line comes from, and its label: one entry on several segments
    # or goods is expanded into one line each ('cap.compact', 'cap.suv', ...), but it is one red line.
    entry: str = ""
    entry_label: str = ""
    over: str = "year"               # 'year' (each year of a horizon) or 'horizon' (the sum over its years)

    @property
    def stated(self) -> tuple[str, str]:
        """(entry, label) of the red line as the instance file states it."""
        return self.entry or self.name, self.entry_label or self.label


class Deal:
    """A setting of levers: each lever family's values under its deal field (`data.levers`),
    keyed as the family's `keys` give them. Missing keys mean 'not used' (zero, off).

        Deal(tariff={"cars": "flat_15"}, commitments={("toyota_dealers", "suv"): 20000.0})

    The home tariff's values map tariff line -> option name (a deal, no-deal or fixed
    setting); the baseline uses each segment's calibration-year tariff instead (see economics).
    """

    __slots__ = ("_by_field",)
    _by_field: dict[str, dict]       # deal field -> that family's values (set in __init__)

    def __init__(self, **by_field: dict):
        object.__setattr__(self, "_by_field", {k: dict(v) for k, v in by_field.items()})

    def __setattr__(self, name, value):
        raise AttributeError("a Deal is immutable: use with_values_of")

    def __getstate__(self):
        return self._by_field

    def __setstate__(self, state):
        object.__setattr__(self, "_by_field", state)

    def values(self, deal_field: str) -> dict:
        """The values of one lever family, by its `deal_field` ({} when the deal sets none)."""
        return self._by_field.get(deal_field, {})

    def fields(self) -> dict[str, dict]:
        """deal field -> values, for every family the deal sets."""
        return {k: v for k, v in self._by_field.items() if v}

    def with_values(self, deal_field: str, values: dict) -> Deal:
        """A copy with one family's values replaced."""
        return self.with_values_of({deal_field: values})

    def with_values_of(self, fields: dict[str, dict]) -> Deal:
        """A copy with several families' values replaced: {deal_field: values}."""
        return Deal(**{**self._by_field, **fields})

    def __eq__(self, other) -> bool:
        return isinstance(other, Deal) and self.fields() == other.fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "Deal(" + ", ".join(f"{k}={v!r}" for k, v in self.fields().items()) + ")"


@dataclass(frozen=True)
class Settings:
    response: str = "constant_elasticity"   # or 'linear' (WITS/SMART)
    objective: str = "min_deficit"          # 'min_deficit', 'weighted', 'nash' or 'welfare'
    objective_metric: str = "deficit"       # the balance 'min_deficit' minimizes (see catalogue.BALANCE_METRICS)
    participation: bool = True
    # Per party, what it is measured by (participation, the partner's second stage, Nash gains):
    # 'payoff' (the weighted metrics of `payoffs`) or 'welfare' (its welfare change).
    participation_measure: dict[str, str] = field(default_factory=lambda: {"home": "payoff", "partner": "payoff"})
    lexicographic_tolerance: float = 1e-9   # relative slack on the optimal deficit in stage 2
    objective_weights: dict[str, float] = field(default_factory=dict)   # for 'weighted'
    nash_weights: dict[str, float] = field(default_factory=lambda: {"home": 0.5, "partner": 0.5})
    time_limit: float | None = None
    noise_threshold: float = 0.5            # continuous levers below this are zero (each lever's own unit)
    # Lever family (or 'money') -> one realistic step of its bounds, base units of its dimension; only
    # those the instance states (`data.steps` gives the defaults).
    steps: dict[str, float] = field(default_factory=dict)

    def measure(self, party: str) -> str:
        """The metric a party is measured by: 'home_payoff' or 'home_welfare' (likewise the partner's)."""
        return f"{party}_{self.participation_measure.get(party, 'payoff')}"


@dataclass(frozen=True)
class Source:
    key: str
    kind: str                        # 'published' or 'assumption'
    text: str                        # citation, or why the number is assumed
    year: int | None = None


@dataclass(frozen=True)
class Input:
    """One number of the instance file as the user wrote it, for provenance and comparison."""

    path: str                        # e.g. 'segments.compact.imports'
    value: float
    unit: str
    source: str                      # key into Instance.sources


@dataclass(frozen=True)
class Instance:
    """A validated negotiation. The core data are fields; each lever family's data (its
    sections of the file, read by its `read`: `menus` and `lines` of the home tariff,
    `channels`, `ntb_measures`, `makers`, `goods`, ...) are in `sections`, and read as
    attributes too (`inst.channels`)."""

    name: str
    title: str
    question: str
    file: str
    parties: dict[str, str]          # 'home'/'partner' -> display name
    segments: dict[str, Segment]
    red_lines: tuple[RedLine, ...]
    payoff_weights: dict[str, dict[str, float]]   # party -> metric -> USD per metric unit
    no_deal: Deal
    fixed: Deal
    settings: Settings
    calibration: dict[str, float]    # metric -> target baseline value
    sources: dict[str, Source]
    inputs: tuple[Input, ...]
    content_hash: str = ""
    uncertainty: tuple = ()           # model.data.uncertainty.Uncertain, for Monte Carlo sweeps
    third_countries: dict[str, ThirdCountry] = field(default_factory=dict)
    jobs_per_unit: dict[str, float] = field(default_factory=dict)    # party -> jobs per unit built there
    all_goods: AllGoods | None = None  # the partner's whole goods trade (None: no balance in all goods)
    sections: dict[str, Any] = field(default_factory=dict)            # the lever families' data, by name
    horizon: Any = None               # model.data.horizon.Horizon: the years a deal runs over (None: one year)

    def __getattr__(self, name: str) -> Any:
        sections = self.__dict__.get("sections")
        if sections is not None and name in sections:
            return sections[name]
        raise AttributeError(f"an Instance has no '{name}' (core field or lever family section)")

    @property
    def quantity_unit(self) -> str:
        """The headline count unit: the unit most segments are counted in, the first segment's
        among equals ('vehicles' for cars and light trucks in vehicles and auto parts in USD).
        Every volume total (imports_units, exports_units, production gains and losses, jobs,
        third-country units) sums only the segments counted in it (`counted`); a segment in
        another unit enters totals through its values alone and has its own metrics in its unit."""
        units = [s.unit for s in self.segments.values()]
        return max(dict.fromkeys(units), key=units.count) if units else "vehicles"

    def counted(self, segment: str) -> bool:
        """Whether a segment's volumes enter the volume totals (it is counted in the headline unit)."""
        return self.segments[segment].unit == self.quantity_unit

    @property
    def uncounted(self) -> tuple[str, ...]:
        """The segments counted in another unit than the headline one (auto parts in USD)."""
        unit = self.quantity_unit
        return tuple(s for s, seg in self.segments.items() if seg.unit != unit)

    # The home tariff lines, on which the option table is computed (see economics.responses).
    def options(self, segment: str) -> tuple[TariffOption, ...]:
        return self.menus[self.segments[segment].tariff_menu]

    def option(self, segment: str, name: str) -> TariffOption:
        return next(o for o in self.options(segment) if o.name == name)

    def line_of(self, segment: str) -> str:
        """The tariff line a segment is on."""
        return self.lines.segment_line[segment]

    def line_options(self, line: str) -> tuple[TariffOption, ...]:
        return self.menus[self.lines[line].menu]

    def line_option(self, line: str, name: str) -> TariffOption:
        return next(o for o in self.line_options(line) if o.name == name)
