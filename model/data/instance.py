"""Validated negotiation data: what the model is built from.

Every number here is in base units (vehicles a year, USD a year, fractions), already
checked by `model.data.loader`. Provenance (unit as written, source) is kept apart in
`Instance.inputs`, so the economics never touch it and reports can show all of it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

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
class Channel:
    """A route by which home-made vehicles reach partner buyers (a dealer network)."""

    name: str
    label: str
    capacity: float                  # extra vehicles a year the network can sell
    unit_value: dict[str, float]     # segment -> export value, USD a vehicle (segments it can source)
    dealer_margin: float             # partner dealers' margin, USD a vehicle sold

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.unit_value)


@dataclass(frozen=True)
class NtbMeasure:
    """A non-tariff-barrier relief the partner may grant (e.g. accept home safety standards)."""

    name: str
    label: str
    ceiling_lift: dict[str, float]   # segment -> extra vehicles partner buyers would take
    political_cost: float            # USD a year, borne by the partner


@dataclass(frozen=True)
class Maker:
    """A partner maker that can shift production into its plants in the home country."""

    name: str
    label: str
    spare_capacity: float            # vehicles a year
    segments: tuple[str, ...]
    home_plant_margin: float = 0.0   # USD a vehicle the maker earns on one built in the home country


@dataclass(frozen=True)
class Good:
    """A non-auto good the partner may commit to buy (LNG, rice, aircraft, ...)."""

    name: str
    label: str
    unit: str                        # the good's own count unit, e.g. 'aircraft'
    unit_value: float                # USD per unit
    max_units: float
    political_cost: float            # USD per unit, borne by the partner
    additional_share: float = 1.0    # share that would not have been bought from home anyway
    additional_stated: bool = True   # False: the instance left it out (1 is then an assumption)


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


@dataclass(frozen=True)
class Deal:
    """A setting of levers. Missing keys mean 'not used' (zero, off).

    `tariff` maps segment -> option name (a deal, no-deal or fixed setting); the
    baseline uses each segment's calibration-year tariff instead (see economics).
    """

    tariff: dict[str, str] = field(default_factory=dict)
    commitments: dict[tuple[str, str], float] = field(default_factory=dict)   # (channel, segment)
    ntb: dict[str, bool] = field(default_factory=dict)
    shift: dict[tuple[str, str], float] = field(default_factory=dict)         # (maker, segment)
    purchases: dict[str, float] = field(default_factory=dict)
    other: dict[str, dict] = field(default_factory=dict)   # lever families beyond the built-in ones

    def values(self, deal_field: str) -> dict:
        """The values of one lever family (see `data.levers`), by its `deal_field`."""
        if deal_field in _BUILT_IN_FIELDS:
            return getattr(self, deal_field)
        return self.other.get(deal_field, {})

    def with_values(self, deal_field: str, values: dict) -> Deal:
        """A copy with one family's values replaced."""
        return self.with_values_of({deal_field: values})

    def with_values_of(self, fields: dict[str, dict]) -> Deal:
        """A copy with several families' values replaced: {deal_field: values}."""
        built_in = {k: dict(v) for k, v in fields.items() if k in _BUILT_IN_FIELDS}
        other = {**self.other, **{k: dict(v) for k, v in fields.items() if k not in _BUILT_IN_FIELDS}}
        return replace(self, **built_in, other=other)


_BUILT_IN_FIELDS = ("tariff", "commitments", "ntb", "shift", "purchases")   # others live in Deal.other


@dataclass(frozen=True)
class Settings:
    response: str = "constant_elasticity"   # or 'linear' (WITS/SMART)
    objective: str = "min_deficit"          # 'min_deficit', 'weighted' or 'nash'
    objective_metric: str = "deficit"       # the balance 'min_deficit' minimizes (see metrics.BALANCE_METRICS)
    participation: bool = True
    lexicographic_tolerance: float = 1e-9   # relative slack on the optimal deficit in stage 2
    objective_weights: dict[str, float] = field(default_factory=dict)   # for 'weighted'
    nash_weights: dict[str, float] = field(default_factory=lambda: {"home": 0.5, "partner": 0.5})
    time_limit: float | None = None
    noise_threshold: float = 0.5            # continuous levers below this are zero (each lever's own unit)


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
    name: str
    title: str
    question: str
    file: str
    parties: dict[str, str]          # 'home'/'partner' -> display name
    segments: dict[str, Segment]
    menus: dict[str, tuple[TariffOption, ...]]
    channels: dict[str, Channel]
    ntb_measures: dict[str, NtbMeasure]
    makers: dict[str, Maker]
    goods: dict[str, Good]
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
    lines: TariffLines = field(default_factory=lambda: TariffLines())   # line -> its segments, in order
    partner_menus: dict[str, tuple[TariffOption, ...]] = field(default_factory=dict)
    partner_lines: TariffLines = field(default_factory=lambda: TariffLines())   # the partner's lines
    third_countries: dict[str, ThirdCountry] = field(default_factory=dict)
    jobs_per_unit: dict[str, float] = field(default_factory=dict)    # party -> jobs per unit built there

    @property
    def quantity_unit(self) -> str:
        """The count unit of the negotiated goods: the segments' one unit, or 'units' if they differ."""
        units = {s.unit for s in self.segments.values()}
        return units.pop() if len(units) == 1 else "units"

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

    def partner_line_options(self, line: str) -> tuple[TariffOption, ...]:
        return self.partner_menus[self.partner_lines[line].menu]

    def partner_line_option(self, line: str, name: str) -> TariffOption:
        return next(o for o in self.partner_line_options(line) if o.name == name)

    def segment_option(self, deal: Deal, segment: str) -> str:
        """The option a deal chooses for a segment: the one chosen for its line."""
        return deal.tariff[self.line_of(segment)]

