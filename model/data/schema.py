"""The instance file format, as pydantic models: each field's structure, meaning, unit and range.

This is the file-format spec, and the one place where each input's meaning, unit
(dimension) and allowed range are declared: every field is declared with
`Field(description=..., json_schema_extra=...)`, numbers through `quantity(...)`. The
loader (`model.data.loader`) converts units and checks ranges by reading these
declarations, the uncertainty checks (`model.data.uncertainty`) bound draws by them, and
`python -m model.data.format_doc` writes docs/instance-format.md from them.

Every number is a quantity `{value, unit, source}` where `source` is a key of the
top-level `sources:` table (a citation, or an assumption with its reason). A quantity's
`dimension` is one of `model.data.units.UNITS` (vehicles, USD, USD/vehicle, share,
elasticity, weight), or one that depends on other fields: `count:{unit}` and
`USD/count:{unit}` (a good's own unit), `metric` (the unit of the metric named beside
it), `payoff weight` (USD per unit of the metric) and `field` (the uncertain field's).
Ranges are in base units (fractions for shares: 1 is 100%). Names that refer to other
entries (segments, channels, ...) are checked in the loader.
"""
from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

SCHEMA_VERSION = 1
DOCS = "docs/instance-format.md"
# The largest size any number may have in base units, whatever its field's range: larger
# ones are typos, and they overflow the solver (HiGHS treats 1e20 as infinite).
MAGNITUDE = 1e15


# -- declarations -------------------------------------------------------------------------
@dataclass(frozen=True)
class Range:
    """Allowed values in base units: low <= v <= high, with `low_open`/`high_open` making
    that end strict. None means no bound on that side."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    @classmethod
    def of(cls, spec: dict | None) -> Range:
        spec = spec or {}
        low = spec.get("gt", spec.get("ge"))
        high = spec.get("lt", spec.get("le"))
        return cls(low, high, "gt" in spec, "lt" in spec)

    def below(self, v: float) -> bool:
        return self.low is not None and (v < self.low or (self.low_open and v == self.low))

    def above(self, v: float) -> bool:
        return self.high is not None and (v > self.high or (self.high_open and v == self.high))

    def contains(self, v: float) -> bool:
        return not (self.below(v) or self.above(v))

    def low_text(self) -> str:
        return f"{'>' if self.low_open else '>='} {self.low:g}"

    def high_text(self) -> str:
        return f"{'<' if self.high_open else '<='} {self.high:g}"

    def text(self) -> str:
        """'> 0', '>= 0 and <= 1', 'any' (in base units)."""
        sides = ([self.low_text()] if self.low is not None else []) + \
                ([self.high_text()] if self.high is not None else [])
        return " and ".join(sides) or "any"


@dataclass(frozen=True)
class Declared:
    """What the schema says about one numeric field."""

    dimension: str            # a units.py dimension, or 'count:{unit}', 'metric', 'payoff weight', 'field'
    range: Range
    hint: str | None = None   # shown when the value is out of range
    drawable: bool = False    # may `uncertainty:` draws and `sweep --param` change it?
    unlimited: bool = False   # may it be written 'unlimited'?


def quantity(description: str, dimension: str, *, gt: float | None = None, ge: float | None = None,
             lt: float | None = None, le: float | None = None, hint: str | None = None,
             drawable: bool = False, unlimited: bool = False, **field: Any):
    """A numeric field `{value, unit, source}`: its meaning, dimension and allowed range."""
    bounds = {k: v for k, v in (("gt", gt), ("ge", ge), ("lt", lt), ("le", le)) if v is not None}
    extra = {"dimension": dimension, "range": bounds, "drawable": drawable, "unlimited": unlimited}
    if hint:
        extra["hint"] = hint
    return Field(description=description, json_schema_extra=extra, **field)


@cache
def declared(model: type[BaseModel], name: str) -> Declared:
    """The declaration of the numeric field `name` of `model`."""
    extra = model.model_fields[name].json_schema_extra or {}
    return Declared(extra["dimension"], Range.of(extra.get("range")), extra.get("hint"),
                    bool(extra.get("drawable")), bool(extra.get("unlimited")))


def _members(annotation) -> list:
    """The types a field may hold: the members of a union, or the type itself."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return list(typing.get_args(annotation))
    return [annotation]


def _model_in(annotation) -> type[BaseModel] | None:
    return next((t for t in _members(annotation) if isinstance(t, type) and issubclass(t, BaseModel)), None)


def walk(path: list[str]) -> tuple[type[BaseModel] | None, str | None, Any]:
    """Follow a field path through the schema from `InstanceSpec`: (the model that declares
    the last named field, that field's name, the type reached). Keys of mappings and list
    indices are stepped over. (None, None, None) if the path leaves the schema."""
    model: type[BaseModel] | None = InstanceSpec
    owner, name, current = None, None, InstanceSpec
    for part in path:
        model = _model_in(current)
        if model is not None:
            if part not in model.model_fields:
                return None, None, None
            owner, name, current = model, part, model.model_fields[part].annotation
            continue
        origin = next((typing.get_origin(t) for t in _members(current) if typing.get_origin(t) in (dict, list)), None)
        if origin is None:
            return None, None, None
        container = next(t for t in _members(current) if typing.get_origin(t) == origin)
        current = typing.get_args(container)[-1]
    return owner, name, current


def declaration_at(path: str) -> Declared | None:
    """The declaration of the number at a field path such as 'segments.suv.elasticity' or
    'channels.toyota_dealers.unit_value.suv'; None if the path is not a number of the schema."""
    parts = path.replace("[", ".").replace("]", "").split(".")
    owner, name, current = walk(parts)
    if owner is None or _model_in(current) is not Q:
        return None
    return declared(owner, name)


def text(description: str, **field: Any):
    """A field that is not a number: its meaning."""
    return Field(description=description, **field)


# -- the format ---------------------------------------------------------------------------
class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class Q(Strict):
    """A number with its unit and the key of its source: `{value: 2.5, unit: "%", source: us_hts}`.
    Whatever the field, a number may not exceed 10^15 in base units (a bigger one is a
    typo, and overflows the solver); `unlimited` is written as such where a field allows it."""

    value: float = text("The number, as published or assumed.")
    unit: str = text("Its unit: one of those accepted for the field's dimension (see units).")
    source: str = text("A key of `sources:`: where the number comes from.")

    @field_validator("value", mode="before")
    @classmethod
    def _number(cls, v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError("must be a number")
        if not math.isfinite(v):
            raise ValueError("must be a finite number (not NaN or infinity)")
        return v


class SourceSpec(Strict):
    """A publication (`citation`, `year`) or an assumption (`assumption`: why this number).
    Reports flag every number whose source is an assumption."""

    citation: str | None = text("The publication, precisely enough to look it up.", default=None)
    year: int | None = text("The year of the publication or of its data.", default=None)
    assumption: str | None = text("Why the number is assumed, in a sentence a reader can check.", default=None)

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.citation is None) == (self.assumption is None):
            raise ValueError("give either 'citation' (a publication) or 'assumption' (why the number is assumed)")
        return self


class Parties(Strict):
    """The two parties' names as reports print them."""

    home: str = text("The party whose bilateral deficit the model works on (e.g. United States).")
    partner: str = text("The other party (e.g. Japan).")


TARIFF = "share"


class FlatTiers(Strict):
    """Flat tariffs from `floor` to `ceiling` every `step` (at most 1001 tiers); each tier
    is an option named `flat_<percent>`, e.g. `flat_15` for 15%."""

    floor: Q = quantity("The lowest flat tariff offered.", TARIFF, ge=0, le=10)
    ceiling: Q = quantity("The highest flat tariff offered; at least `floor`, and `floor` plus whole steps "
                          "must reach it.", TARIFF, ge=0, le=10)
    step: Q = quantity("The distance between tiers.", TARIFF, gt=0, le=10)


class QuotaSpec(Strict):
    """A tariff-rate quota: `in_quota` rate up to `quota` units a year, `out_of_quota` above,
    pooled over every segment on the tariff line (one quantity for all of them). If buyers
    take at least the quota at the out-of-quota rate, the marginal unit pays that rate; if
    they take at most the quota at the in-quota rate, that rate applies; otherwise the quota
    binds, with one tariff equivalent for the whole line, and imports equal the quota."""

    label: str | None = text("How reports name the option (default: 'quota N at x%, y% above').", default=None)
    quota: Q = quantity("Units a year, over every segment on the line, that enter at the in-quota rate.",
                        "vehicles", ge=0)
    in_quota: Q = quantity("The tariff on units within the quota; not above `out_of_quota`.", TARIFF, ge=0, le=10)
    out_of_quota: Q = quantity("The tariff on units above the quota.", TARIFF, ge=0, le=10)
    rent_holder: Literal["government", "home_importers", "exporters"] = text(
        "Who holds the quota rent: the home `government` (auctioned licences: counts as tariff revenue), "
        "`home_importers`, or the `exporters` (who charge it: the customs value of in-quota units rises by "
        "the rent).", default="exporters")


class RestraintSpec(Strict):
    """An export restraint (a voluntary export restraint, like Japan's 1981 limit on cars to the
    US): at most `quota` units a year over the tariff line, none above; imports pay their
    calibration tariff and the exporters hold the rent."""

    label: str | None = text("How reports name the option (default: 'export restraint: at most N a year').",
                             default=None)
    quota: Q = quantity("Units a year, over every segment on the line, the exporters may ship.", "vehicles", gt=0)


class MenuSpec(Strict):
    """One tariff menu is one legislated tariff line: the home party chooses one option and it
    applies to every segment on the menu, unless `split` gives each segment a line of its own
    (the report then says so). A menu needs at least one option."""

    label: str | None = text("How reports name the tariff line, e.g. 'passenger cars' (default: its segments).",
                             default=None)
    split: StrictBool = text("Choose the option segment by segment (one tariff line per segment).", default=False)
    flat: FlatTiers | None = text("Flat tiers.", default=None)
    quotas: dict[str, QuotaSpec] = text("Tariff-rate quotas, by option name.", default_factory=dict)
    export_restraints: dict[str, RestraintSpec] = text("Export restraints, by option name.", default_factory=dict)


class PartnerMenuSpec(Strict):
    """A tariff line of the partner's on home-made goods: its flat tiers, one chosen per line
    (or per segment when `split`). Its rate scales the home country's exports to the
    partner and the partner buyers' ceiling (see `export_elasticity`)."""

    label: str | None = text("How reports name the line, e.g. 'Japan's tariff on US cars'.", default=None)
    split: StrictBool = text("Choose the rate segment by segment.", default=False)
    flat: FlatTiers = text("Flat tiers.")


Unlimited = Literal["unlimited"]


class SegmentSpec(Strict):
    """A vehicle segment and its calibration-year data. Import volume at tariff t
    responds to the buyer price: with constant elasticity M = imports * r^e, where r is the
    buyer price relative to the calibration year and e the `elasticity`. The buyer price
    follows from the partner's supply curve (`partner_supply_elasticity`; perfectly elastic
    if left out: r = (1 + t)/(1 + t0), t0 the `base_tariff`), or, where the file imposes a
    `pass_through` p instead (SMART style), r = (1 + p t)/(1 + p t0). With a
    `substitution_elasticity` the segment is an Armington composite instead: home buyers
    choose among the partner, the third countries that list it (`third_countries`) and home
    producers (`home_sales`, `home_price`), and `elasticity` is the composite's overall
    demand elasticity; `home_substitution` is then left out. Converting published
    elasticities: GTAP's ESUBD goes to `substitution_elasticity` and its ESUBM to
    `import_substitution_elasticity`, as published; SMART's import demand elasticity goes to
    `elasticity` and its substitution elasticity to `substitution_elasticity` under
    `settings.response: linear` (SMART's own system), or, in the CES nest, to first order as
    SMART's sigma minus the elasticity (e.g. 1.5 and -1.5 give 3)."""

    label: str = text("The segment's name in reports.")
    unit: str = text("The count unit its quantities are written in (imports, exports, ceilings, quotas, "
                     "capacities): `vehicles` by default; any other count unit, e.g. `tonne` for steel or `unit` "
                     "for machines. Prices are then per that unit. Segments that share a tariff line, a channel "
                     "or a maker share their unit.", default="vehicles")
    tariff_menu: str = text("The key of the `tariff_menus` entry whose options apply to this segment.")
    base_tariff: Q = quantity("The home tariff on the partner's vehicles in the calibration year (t0).",
                              TARIFF, ge=0, le=10, drawable=True)
    imports: Q = quantity("Vehicles a year imported from the partner in the calibration year.", "vehicles",
                          gt=0, drawable=True)
    import_price: Q = quantity("Customs value per imported vehicle in the calibration year.", "USD/vehicle",
                               gt=0, drawable=True)
    exports: Q = quantity("Home-made vehicles a year sold in the partner's market in the calibration year.",
                          "vehicles", ge=0, drawable=True)
    export_price: Q = quantity("Value per home-made vehicle sold in the partner's market.", "USD/vehicle",
                               ge=0, drawable=True)
    elasticity: Q = quantity("Price elasticity of home import demand for the partner's vehicles (e): imports "
                             "change by about e% when buyers' price rises 1%. With a `substitution_elasticity`, "
                             "the overall demand elasticity of the segment's composite of every source (eta); "
                             "under `settings.response: linear` it is SMART's import demand elasticity, which "
                             "sets trade creation.",
                             "elasticity", lt=0,
                             hint="buyers take fewer vehicles when the price rises, so the elasticity is "
                                  "negative, e.g. -1.25", drawable=True)
    pass_through: Q | None = quantity(
        "An imposed share of a tariff change that reaches home buyers' price (p), SMART style: the exporter "
        "absorbs the rest through a lower customs value (at most its `partner_margin`). An override: leave it "
        "out to derive the pass-through from the partner's supply curve (`partner_supply_elasticity`), which "
        "reports give per tariff line; a segment may not give both.", "share", gt=0, le=1,
        hint="with no pass-through tariffs change nothing; use a small positive share, e.g. 0.05", drawable=True,
        default=None)
    partner_supply_elasticity: Q | Unlimited | None = quantity(
        "Price elasticity of the partner exporters' supply of this segment to the home market (phi > 0): they "
        "ship X0 (w/w0)^phi at customs value w per vehicle (w0 in the calibration year). Each tariff option's "
        "buyer price, customs value and pass-through then follow from supply = demand (one segment alone: "
        "pass-through phi/(phi - e)); their surplus moves along the curve, and absorption stays bounded by "
        "`partner_margin`. `unlimited` or left out: perfectly elastic supply (the customs value does not move). "
        "Not with an imposed `pass_through`.", "elasticity", gt=0, drawable=True, unlimited=True, default=None)
    partner_ceiling: Q = quantity("Home-made vehicles a year the partner's buyers would take in this segment at "
                                  "today's terms: today's exports plus commitments may not exceed it, unless "
                                  "NTB relief lifts it.", "vehicles", ge=0, drawable=True)
    partner_margin: Q = quantity("The partner exporter's margin per vehicle in the calibration year; it falls "
                                 "one for one with the customs value when the exporter absorbs a tariff.",
                                 "USD/vehicle", ge=0, drawable=True)
    home_substitution: Q | None = quantity(
        "Share of the vehicles home buyers stop importing that home plants build instead (counts in the home "
        "production gain). Required in the one-partner form; left out with a `substitution_elasticity` (home "
        "producers then respond through the Armington nest).", "share", ge=0, le=1, drawable=True, default=None)
    substitution_elasticity: Q | None = quantity(
        "Elasticity of substitution between the segment's sources (sigma: the partner, each third country, home "
        "producers): makes the segment an Armington composite. In the CES nest (`constant_elasticity`) it is the "
        "one-level nest's sigma, or, with an `import_substitution_elasticity`, GTAP's ESUBD between home "
        "producers and the composite of imports (motor vehicles: about 2.8). Under `settings.response: linear` "
        "it is SMART's substitution elasticity (its default 1.5), which sets trade diversion; a SMART sigma "
        "corresponds, to first order, to a CES sigma of SMART's sigma minus `elasticity`. With sigma = "
        "-elasticity (CES) the partner's imports respond as in the one-partner form.", "elasticity", gt=0,
        drawable=True, default=None)
    import_substitution_elasticity: Q | None = quantity(
        "CES nest only: GTAP's ESUBM, the elasticity of substitution among import sources (the partner and the "
        "third countries) inside a two-level nest whose top level (`substitution_elasticity`, ESUBD) is between "
        "home producers and the imports' composite (motor vehicles: about 5.6). Left out: one level, ESUBM = "
        "ESUBD.", "elasticity", gt=0, drawable=True, default=None)
    home_sales: Q | None = quantity(
        "Armington: home-made vehicles a year sold in the home market in the calibration year (home producers' "
        "source of the composite); if left out, home producers are not a source.", "vehicles", ge=0, drawable=True,
        default=None)
    home_price: Q | None = quantity(
        "Armington: home producers' price per vehicle in the calibration year, at the same stage as the imports' "
        "duty-paid customs value (it weighs their share of the composite).", "USD/vehicle", gt=0, drawable=True,
        default=None)
    home_supply_elasticity: Q | None = quantity(
        "Armington: price elasticity of home producers' supply (eps > 0); if left out, supply is perfectly "
        "elastic: their price does not move and their surplus does not change.", "elasticity", gt=0,
        drawable=True, default=None)
    displacement: Q = quantity("Partner-built domestic sales displaced per home-made vehicle sold in the "
                               "partner's market (counts in the partner's production loss).", "share", ge=0, le=1,
                               drawable=True)
    partner_tariff_menu: str | None = text(
        "The key of the `partner_tariff_menus` entry whose options the partner may choose for home-made goods of "
        "this segment (leave out: the partner's tariff is not negotiated here).", default=None)
    partner_base_tariff: Q | None = quantity(
        "The partner's tariff on home-made goods of this segment in the calibration year (t0p).", TARIFF, ge=0,
        le=10, drawable=True, default=None)
    export_elasticity: Q | None = quantity(
        "Price elasticity of the partner's demand for home-made goods of this segment (ep): home exports and the "
        "partner buyers' ceiling both scale by ((1 + pp t)/(1 + pp t0p))^ep at partner tariff t.", "elasticity",
        lt=0, drawable=True, default=None)
    export_pass_through: Q | None = quantity(
        "Share of a partner tariff change that reaches the partner's buyers (pp).", "share", gt=0, le=1,
        drawable=True, default=None)



class ThirdSupplySpec(Strict):
    """A third country's sales of one (Armington) segment in the home market in the
    calibration year. Its imports respond to each tariff option on the partner through the
    segment's price index: this is where trade is diverted to."""

    imports: Q = quantity("Vehicles a year imported from the third country in the calibration year.", "vehicles",
                          gt=0, drawable=True)
    import_price: Q = quantity("Customs value per vehicle imported from it in the calibration year.", "USD/vehicle",
                               gt=0, drawable=True)
    tariff: Q | None = quantity("The home tariff on its vehicles of this segment, with and without the deal "
                                "(default: the country's `tariff`).", TARIFF, ge=0, le=10, drawable=True,
                                default=None)
    base_tariff: Q | None = quantity("The home tariff on its vehicles of this segment in the calibration year "
                                     "(default: the country's `base_tariff`).", TARIFF, ge=0, le=10, drawable=True,
                                     default=None)
    supply_elasticity: Q | Unlimited | None = quantity(
        "Its exporters' supply elasticity for this segment (default: the country's `supply_elasticity`).",
        "elasticity", gt=0, drawable=True, unlimited=True, default=None)


class ThirdCountrySpec(Strict):
    """A third-country supplier of the home market: not a party to the negotiation, but its
    sales respond to the tariffs chosen on the partner (trade diversion). Its tariff is set
    by the instance (or a scenario: a file that extends it, or `sweep --param
    third_countries.<country>.tariff=...`), and is the same with and without the deal."""

    label: str = text("The country's name in reports.")
    tariff: Q = quantity("The home tariff on its vehicles now, with and without the deal.", TARIFF, ge=0, le=10,
                         drawable=True)
    base_tariff: Q = quantity("The home tariff on its vehicles in the calibration year.", TARIFF, ge=0, le=10,
                              drawable=True)
    pass_through: Q | None = quantity(
        "An imposed share of a tariff change on its vehicles that reaches home buyers, SMART style (an "
        "override: leave it out to derive it from `supply_elasticity`; with neither, all of it).", "share", gt=0,
        le=1, drawable=True, default=None)
    supply_elasticity: Q | Unlimited | None = quantity(
        "Price elasticity of its exporters' supply to the home market (phi > 0), for every segment it sells "
        "(a segment may set its own): X0 (w/w0)^phi at customs value w. Its customs values then respond to the "
        "deal's tariffs on the partner through the segment's equilibrium, and its exporters' surplus moves "
        "along the curve (`third_exporter_surplus_change`). `unlimited` or left out: perfectly elastic. Not with "
        "an imposed `pass_through`.", "elasticity", gt=0, drawable=True, unlimited=True, default=None)
    exports_value: Q | None = quantity("Home exports to it in the negotiated goods, a year (fixed: the deal does "
                                       "not change them; they set the level of the balance with it, default 0).",
                                       "USD", ge=0, drawable=True, default=None)
    segments: dict[str, ThirdSupplySpec] = text("Segment -> its sales of the segment in the home market; each "
                                                "segment needs a `substitution_elasticity`.")


class ChannelSpec(Strict):
    """A dealer network through which home-made vehicles reach the partner's buyers: the
    partner may commit to sell up to `capacity` more a year, in the segments it has
    home-made models for (the keys of `unit_value`)."""

    label: str = text("The network's name in reports.")
    capacity: Q | Unlimited = quantity("Extra vehicles a year the network can sell, or `unlimited`.", "vehicles",
                                       ge=0, drawable=True, unlimited=True)
    unit_value: dict[str, Q] = quantity("Segment -> export value per home-made vehicle the network would sell; "
                                        "only these segments can be committed through it.", "USD/vehicle", gt=0,
                                        drawable=True)
    dealer_margin: Q = quantity("The partner dealers' margin per home-made vehicle sold through the network "
                                "(the partner's `dealer_margin` metric).", "USD/vehicle", drawable=True)


class NtbSpec(Strict):
    """A non-tariff-barrier relief the partner may grant (e.g. accept home safety standards):
    on or off; when on it lifts the partner buyers' ceiling."""

    label: str = text("The measure's name in reports.")
    ceiling_lift: dict[str, Q] = quantity("Segment -> extra home-made vehicles a year the partner's buyers would "
                                          "take when the measure is granted.", "vehicles", ge=0, drawable=True)
    political_cost: Q = quantity("The partner's political cost of granting the measure, a year.", "USD", ge=0,
                                 drawable=True)


class MakerSpec(Strict):
    """A partner maker that can shift production from partner plants to its plants in the
    home country, replacing imports of the segments it builds."""

    label: str = text("The maker's name in reports.")
    spare_capacity: Q | Unlimited = quantity("Vehicles a year its home-country plants could add, or `unlimited`.",
                                             "vehicles", ge=0, drawable=True, unlimited=True)
    home_plant_margin: Q | None = quantity(
        "The maker's margin on a vehicle built in its home-country plant (a production shift earns it this, "
        "in the partner's payoff as `partner_plant_margin`); if left out, 0.", "USD/vehicle", ge=0,
        drawable=True, default=None)
    segments: list[str] = text("The segments it builds: production can shift only in these.")


class GoodSpec(Strict):
    """A good outside autos the partner may commit to buy from home (rice, LNG, aircraft,
    ...). Its quantities are written in its own `unit`."""

    label: str = text("The good's name in reports.")
    unit: str = text("The good's own count unit, e.g. `tonne` or `aircraft`.")
    unit_value: Q = quantity("Value per unit of the good.", "USD/count:{unit}", gt=0, drawable=True)
    max_units: Q | Unlimited = quantity("The most units a year the partner could commit to buy, or `unlimited`.",
                                        "count:{unit}", ge=0, drawable=True, unlimited=True)
    political_cost: Q = quantity("The partner's political cost per unit bought.", "USD/count:{unit}", ge=0,
                                 drawable=True)
    additional_share: Q | None = quantity(
        "The share of each unit committed that the partner would not have bought from the home country anyway: "
        "only this share changes the balance (with its source; if left out, 1, and the report says so).",
        "share", ge=0, le=1, drawable=True, default=None)


class RedLineSpec(Strict):
    """A party's political limit: `metric sense bound`, e.g. the partner's production loss
    <= 150,000 vehicles a year. A per-segment metric gives one line per listed segment."""

    party: Literal["home", "partner"] = text("Whose red line it is.")
    label: str = text("How reports name the line; state the limit in words.")
    reason: str = text("Why the party holds this line (shown in reports).")
    metric: str = text("A metric (see Metrics). Per-segment or per-good metrics take `segments` or `index`, "
                       "or are written with the index, e.g. `tariff_rate[compact]`.")
    segments: list[str] | None = text("For a per-segment metric: the segments, one line each.", default=None)
    index: str | None = text("For a per-segment or per-good metric: the one segment or good.", default=None)
    sense: Literal["<=", ">="] = text("`<=` (at most) or `>=` (at least).")
    bound: Q = quantity("The limit, in the metric's unit; with `relative_to`, a multiple of the metric's value "
                        "there (e.g. 90%), then >= 0.", "metric", drawable=True)
    relative_to: Literal["baseline", "no_deal"] | None = text(
        "`baseline` or `no_deal`: the bound multiplies the metric's value there; absent: the bound is absolute.",
        default=None)


class DealSpec(Strict):
    """A setting of levers. Levers left out are unused (in `no_deal`) or left to the model
    (in `fixed_levers`)."""

    tariff: dict[str, Q | str] = quantity(
        "Segment or tariff menu -> a flat rate (one of its menu's tiers) or the name of a quota option. A menu "
        "key sets every segment on the menu.", TARIFF, ge=0, le=10, default_factory=dict)
    commitments: dict[str, dict[str, Q]] = quantity(
        "Channel -> segment -> home-made vehicles a year sold through the channel.", "vehicles", ge=0,
        default_factory=dict)
    ntb: dict[str, StrictBool] = text("NTB measure -> `true` (granted) or `false`.", default_factory=dict)
    production_shift: dict[str, dict[str, Q]] = quantity(
        "Maker -> segment -> vehicles a year moved from partner plants to the maker's home-country plants.",
        "vehicles", ge=0, default_factory=dict)
    purchases: dict[str, Q] = quantity("Good -> units a year the partner buys; at most the good's `max_units`.",
                                       "count:{unit}", ge=0, default_factory=dict)
    partner_tariff: dict[str, Q] = quantity(
        "Partner tariff line, menu or segment -> the partner's flat rate on home-made goods (one of its menu's "
        "tiers).", TARIFF, ge=0, le=10, default_factory=dict)


class SettingsSpec(Strict):
    """How the model responds to tariffs and what it optimizes."""

    response: Literal["constant_elasticity", "linear"] = text(
        "The demand system: `constant_elasticity` M0 r^e (r the buyer price relative to the calibration year), "
        "a CES nest over sources in Armington segments; or `linear`, SMART's (WITS): M0 (1 + e (r - 1)), floored "
        "at 0, and in Armington segments SMART's trade creation (from `elasticity`) plus trade diversion (from "
        "`substitution_elasticity`) per source.", default="constant_elasticity")
    objective: Literal["min_deficit", "weighted", "nash"] = text(
        "`min_deficit` (least deficit, then the partner's best payoff at it), `weighted` (maximize "
        "`objective_weights`) or `nash` (Nash bargaining with `nash_weights`); `run --objective` overrides it.",
        default="min_deficit")
    objective_metric: str = text(
        "For `min_deficit`: the balance it minimizes: `deficit` (bilateral: the negotiated goods less the "
        "additional share of purchase commitments), `negotiated_deficit` (bilateral, the negotiated goods alone), "
        "`overall_deficit` (the negotiated goods with the partner and every third country), "
        "`third_countries_deficit`, or `third_country_deficit[<country>]`.", default="deficit")
    participation: StrictBool = text("Each party's payoff must be at least its no-deal payoff.", default=True)
    lexicographic_tolerance: float = text(
        "For `min_deficit`: the relative slack on the optimal deficit that the second stage (best deal for the "
        "partner) may use.", default=1e-9, gt=0, lt=0.01, json_schema_extra={"unit": "fraction"})
    objective_weights: dict[str, float] = text(
        "For `weighted`: metric -> weight in USD per unit of the metric; the model maximizes the weighted sum.",
        default_factory=dict, json_schema_extra={"unit": "USD per unit of the metric"})
    nash_weights: dict[Literal["home", "partner"], float] = text(
        "For `nash`: party -> weight w in the sum of w log(payoff gain over no deal).",
        default_factory=lambda: {"home": 0.5, "partner": 0.5},
        json_schema_extra={"unit": "1", "range": {"gt": 0}})
    noise_threshold: float = text(
        "Amounts of continuous levers below this (in each lever's own unit: vehicles, tonnes, aircraft) are solver "
        "noise: reported and counted as zero, and the deal re-verified with them at zero.", default=0.5, ge=0,
        json_schema_extra={"unit": "units of each lever"})
    time_limit: float | None = text("Seconds each solve may take (none by default); `run --time-limit` overrides "
                                    "it.", default=None, gt=0, json_schema_extra={"unit": "seconds"})


class Distribution(Strict):
    """An uncertain input: normal (`mean`, `sd`), uniform, or triangular (`mode`), always
    bounded by `low` and `high`, written in a unit of the field's own dimension. `mean` and
    `mode` default to the field's value; a normal is truncated to [low, high]."""

    distribution: Literal["normal", "uniform", "triangular"] = text("The distribution's shape.")
    low: Q = quantity("The lowest value a draw may take; within the field's allowed range.", "field")
    high: Q = quantity("The highest value a draw may take; within the field's allowed range.", "field")
    mean: Q | None = quantity("Normal only: the mean (default: the field's value).", "field", default=None)
    sd: Q | None = quantity("Normal only: the standard deviation.", "field", gt=0, default=None)
    mode: Q | None = quantity("Triangular only: the most likely value (default: the field's value).", "field",
                              default=None)


class InstanceSpec(Strict):
    """An instance file: one negotiation, every number with its unit and source."""

    schema_version: Literal[1] = text("The version of this format: 1.")
    name: str = text("Short name: letters, digits, `_` and `-`; reports go to `reports/<name>/`.",
                     pattern=r"^[A-Za-z0-9_\-]+$")
    title: str = text("The title at the top of reports.")
    question: str = text("The question the instance answers, in a sentence or two; it opens the report.")
    extends: str | None = text("Another instance file this one starts from (relative to this file, inside the "
                               "instances tree); see Inheritance.", default=None)
    parties: Parties = text("The two parties.")
    sources: dict[str, SourceSpec] = text("Source key -> a publication or an assumption.")
    settings: SettingsSpec = text("How the model responds and what it optimizes.", default_factory=SettingsSpec)
    tariff_menus: dict[str, MenuSpec] = text("Menu key -> the tariff options of a menu.")
    partner_tariff_menus: dict[str, PartnerMenuSpec] = text(
        "Menu key -> the partner's tariff options on home-made goods (segments name theirs in "
        "`partner_tariff_menu`).", default_factory=dict)
    segments: dict[str, SegmentSpec] = text("Segment key -> its calibration-year data.")
    channels: dict[str, ChannelSpec] = text("Channel key -> a dealer network.", default_factory=dict)
    ntb_measures: dict[str, NtbSpec] = text("Measure key -> a non-tariff-barrier relief.", default_factory=dict)
    makers: dict[str, MakerSpec] = text("Maker key -> a partner maker that can shift production.",
                                        default_factory=dict)
    goods: dict[str, GoodSpec] = text("Good key -> a good the partner may commit to buy.", default_factory=dict)
    third_countries: dict[str, ThirdCountrySpec] = text(
        "Country key -> a third-country supplier of the home market (Armington segments only).",
        default_factory=dict)
    jobs_per_unit: dict[Literal["home", "partner"], Q] = quantity(
        "Party -> jobs per vehicle built in its country (assembly and parts), for the `home_jobs` and "
        "`partner_jobs` metrics; a party left out gets no jobs metric (0).", "jobs/vehicle", ge=0, drawable=True,
        default_factory=dict)
    red_lines: dict[str, RedLineSpec] = text("Red line key -> a party's political limit.", default_factory=dict)
    payoffs: dict[Literal["home", "partner"], dict[str, Q]] = quantity(
        "Party -> metric -> weight: a party's payoff is the sum of weight x metric over the metrics listed. A "
        "weight is USD per unit of the metric: `1` for metrics in USD, `USD/vehicle` for metrics in vehicles, "
        "`USD` for fractions.", "payoff weight", drawable=True)
    no_deal: DealSpec = text("The threat point: the levers without a deal. A tariff for every segment (per "
                             "segment or per menu); other levers left out are unused.")
    fixed_levers: DealSpec = text("Levers the model may not change (e.g. the terms of a real deal); the model "
                                  "chooses the rest.", default_factory=DealSpec)
    calibration: dict[str, Q] = quantity(
        "Metric -> a published total that the calibration-year baseline must reproduce to 0.1% (checked on "
        "load).", "metric", default_factory=dict)
    uncertainty: dict[str, Distribution] = text(
        "Field path (e.g. `segments.suv.elasticity`) -> the distribution of that number, for `sweep "
        "--monte-carlo`; `run` ignores it.", default_factory=dict)


# -- where each part of the format is documented (headings of docs/instance-format.md) -----
HEADINGS: dict[type[BaseModel], str] = {
    InstanceSpec: "top-level keys", Q: "numbers", SourceSpec: "sources", Parties: "parties",
    SettingsSpec: "settings", MenuSpec: "tariff_menus", PartnerMenuSpec: "partner_tariff_menus", FlatTiers: "flat tiers", QuotaSpec: "quotas",
    RestraintSpec: "export_restraints",
    SegmentSpec: "segments", ChannelSpec: "channels", NtbSpec: "ntb_measures", MakerSpec: "makers",
    GoodSpec: "goods", RedLineSpec: "red_lines", DealSpec: "no_deal and fixed_levers", Distribution: "uncertainty",
    ThirdCountrySpec: "third_countries", ThirdSupplySpec: "third-country segments",
}
SECTIONS_WITHOUT_MODEL = ("payoffs", "calibration", "jobs_per_unit")   # documented under their own headings too


def anchor(heading: str) -> str:
    """The link target GitHub gives a markdown heading."""
    slug = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return slug.replace(" ", "-")


def doc_link(path: list[str] | str) -> str:
    """Where docs/instance-format.md documents the field at `path`, e.g.
    'docs/instance-format.md#segments'."""
    parts = path.replace("[", ".").replace("]", "").split(".") if isinstance(path, str) else list(path)
    heading = None
    if parts and parts[0] in SECTIONS_WITHOUT_MODEL:
        heading = parts[0]
    else:
        for n in range(1, len(parts) + 1):
            _, _, reached = walk(parts[:n])
            model = _model_in(reached) if reached is not None else None
            if model is not None and model is not Q and model in HEADINGS:
                heading = HEADINGS[model]
            elif reached is None:
                break
    return f"{DOCS}#{anchor(heading or HEADINGS[InstanceSpec])}"


def range_of(model: type[BaseModel], name: str) -> Range:
    """The allowed range of any field: declared in `json_schema_extra['range']`, or given to
    pydantic as `gt`/`ge`/`lt`/`le` (plain numbers such as settings)."""
    info = model.model_fields[name]
    spec = dict((info.json_schema_extra or {}).get("range") or {})
    for item in info.metadata:
        for key in ("gt", "ge", "lt", "le"):
            if getattr(item, key, None) is not None:
                spec[key] = getattr(item, key)
    return Range.of(spec)
