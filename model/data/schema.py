"""The instance file format, as pydantic models: each field's structure, meaning, unit and range.

This is the file-format spec, and the one place where each input's meaning, unit
(dimension) and allowed range are declared: every field is declared with
`Field(description=..., json_schema_extra=...)`, numbers through `quantity(...)` (the
building blocks are in `model.data.fields`). The loader (`model.data.loader`) converts units
and checks ranges by reading these declarations, the uncertainty checks
(`model.data.uncertainty`) bound draws by them, and `python -m model.data.format_doc` writes
docs/instance-format.md from them.

The format is composed: the core sections are declared here (sources, parties, settings,
segments, third countries, jobs, red lines, payoffs, calibration, uncertainty), and each
registered lever family (`model.data.families`) brings its own top-level section(s) and
its entry under `no_deal`/`fixed_levers`. `instance_spec()` and `deal_spec()` give the
format as the registry stands (rebuilt when a family is registered or unregistered).

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

import typing
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, StrictBool, create_model, model_validator

from model.data.families.base import families, registry_version
from model.data.fields import (
    DOCS,
    MAGNITUDE,
    SCHEMA_VERSION,
    TARIFF,
    Declared,
    FieldDefinition,
    Q,
    Range,
    Strict,
    Unlimited,
    _members,
    _model_in,
    attribute_of,
    declared,
    extra_of,
    quantity,
    text,
)
from model.data.horizon import GrowthSpec, HorizonSpec, PathSpec, ScheduleSpec

__all__ = ["DOCS", "MAGNITUDE", "SCHEMA_VERSION", "TARIFF", "Declared", "Q", "Range", "Strict", "Unlimited",
           "_members", "_model_in", "attribute_of", "declared", "extra_of", "quantity", "text", "instance_spec", "deal_spec",
           "headings", "walk", "declaration_at", "doc_link", "range_of", "anchor", "spec_models"]


# -- the core sections ----------------------------------------------------------------------
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
        for name, given in (("citation", self.citation), ("assumption", self.assumption)):
            if given is not None and not given.strip():
                raise ValueError(f"'{name}' is empty: give the publication, or say why the number is assumed")
        return self

    @property
    def kind(self) -> str:
        """'assumption' or 'published'."""
        return "assumption" if self.assumption else "published"

    @property
    def said(self) -> str:
        """Why the number is assumed, or the citation (the validator makes sure one is given)."""
        said = self.assumption or self.citation
        if said is None:
            raise ValueError("a source with neither a citation nor an assumption")
        return said


class Parties(Strict):
    """The two parties' names as reports print them."""

    home: str = text("The party whose bilateral deficit the model works on (e.g. United States).")
    partner: str = text("The other party (e.g. Japan).")


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
                     "or a maker share their unit. Volume totals (imports_units, ...) count only the segments in "
                     "the unit most segments share (the first segment's among equals); a segment in another unit "
                     "(auto parts in `USD`) enters totals through its values and has `imports_units[segment]`.",
                     default="vehicles")
    tariff_menu: str = text("The key of the `tariff_menus` entry whose options apply to this segment.")
    base_tariff: Q = quantity("The home tariff on the partner's vehicles in the calibration year (t0).",
                              TARIFF, ge=0, le=10, drawable=True)
    imports: Q = quantity("Vehicles a year imported from the partner in the calibration year (0: none, and "
                          "none at any tariff).", "vehicles", ge=0, drawable=True)
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
        drawable=True, default=None,
        attribute="armington.substitution")
    import_substitution_elasticity: Q | None = quantity(
        "CES nest only: GTAP's ESUBM, the elasticity of substitution among import sources (the partner and the "
        "third countries) inside a two-level nest whose top level (`substitution_elasticity`, ESUBD) is between "
        "home producers and the imports' composite (motor vehicles: about 5.6). Left out: one level, ESUBM = "
        "ESUBD.", "elasticity", gt=0, drawable=True, default=None,
        attribute="armington.import_substitution")
    home_sales: Q | None = quantity(
        "Armington: home-made vehicles a year sold in the home market in the calibration year (home producers' "
        "source of the composite); if left out, home producers are not a source.", "vehicles", ge=0, drawable=True,
        default=None,
        attribute="armington.home_sales")
    home_price: Q | None = quantity(
        "Armington: home producers' price per vehicle in the calibration year, at the same stage as the imports' "
        "duty-paid customs value (it weighs their share of the composite).", "USD/vehicle", gt=0, drawable=True,
        default=None,
        attribute="armington.home_price")
    home_supply_elasticity: Q | None = quantity(
        "Armington: price elasticity of home producers' supply (eps > 0); if left out, supply is perfectly "
        "elastic: their price does not move and their surplus does not change.", "elasticity", gt=0,
        drawable=True, default=None,
        attribute="armington.home_supply_elasticity")
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
    margin: Q | None = quantity(
        "Its exporters' margin, a share of customs value: a unit it no longer sells costs them this much, on top of "
        "the surplus of their supply curve (as the partner's `partner_margin`), so trade diverted from it lowers "
        "its welfare (`third_welfare`). Default 0.", "share", ge=0, le=1, drawable=True, default=None)
    exports_value: Q | None = quantity("Home exports to it in the negotiated goods, a year (fixed: the deal does "
                                       "not change them; they set the level of the balance with it, default 0).",
                                       "USD", ge=0, drawable=True, default=None)
    segments: dict[str, ThirdSupplySpec] = text("Segment -> its sales of the segment in the home market; each "
                                                "segment needs a `substitution_elasticity`.")

    @classmethod
    def with_value(cls, inst, country: str, parts: list[str], value: float):
        """`inst` with one of the country's numbers set (see `uncertainty.with_values`). Its data
        are spread: the country's own record, and its supply of each Armington segment, which
        takes the country's `tariff`, `base_tariff`, `supply_elasticity`, `pass_through` and
        `margin` unless the segment sets its own; `segments.<segment>.<field>` sets that one supply (and makes it
        its own)."""
        def supplies(segment, change):
            a = segment.armington
            return replace(segment, armington=replace(a, suppliers=tuple(
                change(sup) if sup.country == country else sup for sup in a.suppliers)))
        segments = dict(inst.segments)
        if parts[0] == "segments":
            s, name = parts[1], parts[2]
            segments[s] = supplies(segments[s], lambda sup: replace(
                sup, **{name: value}, own=tuple(sorted({*sup.own, name} & OWNABLE))))
            return replace(inst, segments=segments)
        name = parts[0]
        for s, seg in inst.segments.items():
            if seg.armington is not None and name in (*OWNABLE, "pass_through", "margin"):
                segments[s] = supplies(seg, lambda sup: sup if name in sup.own else replace(sup, **{name: value}))
        countries = {**inst.third_countries, country: replace(inst.third_countries[country], **{name: value})}
        return replace(inst, segments=segments, third_countries=countries)


class AllGoodsSpec(Strict):
    """The partner's whole goods trade with the home country in the calibration year (e.g. the
    home statistics office's goods trade by country, USD a year). It sets the balance in all goods
    (`all_goods_deficit`): the negotiated goods as the model moves them, plus the goods not
    negotiated (these totals less the modelled lines' calibration-year imports and exports) held at
    their calibration-year level as a stated background (`other_goods_deficit`). The partner's
    purchases of the goods it may commit to buy are in `exports`; only their additional share moves.
    Without it, reports show no balance in all goods."""

    imports: Q = quantity("Home imports of all goods from the partner in the calibration year, USD a year; at least "
                          "the modelled lines' imports (each segment's imports x import_price).", "USD", ge=0)
    exports: Q = quantity("Home exports of all goods to the partner in the calibration year, USD a year; at least "
                          "the modelled lines' exports (each segment's exports x export_price).", "USD", ge=0)


OWNABLE = {"tariff", "base_tariff", "supply_elasticity"}     # a third country's fields a segment may set for itself


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
    over: Literal["year", "horizon"] = text(
        "With a `horizon`: `year` (the line holds in every year) or `horizon` (it holds for the sum of the metric "
        "over the years, e.g. total purchases over the deal; a relative bound then multiplies the sum of the "
        "reference values). One-year instances: `year`.", default="year")


class SettingsSpec(Strict):
    """How the model responds to tariffs and what it optimizes."""

    response: Literal["constant_elasticity", "linear"] = text(
        "The demand system: `constant_elasticity` M0 r^e (r the buyer price relative to the calibration year), "
        "a CES nest over sources in Armington segments; or `linear`, SMART's (WITS): M0 (1 + e (r - 1)), floored "
        "at 0, and in Armington segments SMART's trade creation (from `elasticity`) plus trade diversion (from "
        "`substitution_elasticity`) per source.", default="constant_elasticity")
    objective: Literal["min_deficit", "weighted", "nash", "welfare"] = text(
        "`min_deficit` (least deficit, then the partner's best payoff at it), `weighted` (maximize "
        "`objective_weights`), `nash` (Nash bargaining with `nash_weights`) or `welfare` (greatest home welfare: "
        "buyers, producers, tariff revenue and rents held, then the partner's best at it, in the measure its "
        "participation uses); `run --objective` overrides it.",
        default="min_deficit")
    objective_metric: str = text(
        "For `min_deficit`: the balance it minimizes: `deficit` (bilateral, the negotiated goods: the modelled "
        "lines less the additional share of purchase commitments), `sector_deficit` (bilateral, the modelled lines "
        "alone: vehicles and parts; formerly `negotiated_deficit`), `all_goods_deficit` (bilateral, all goods: the "
        "negotiated goods plus the goods not negotiated held at the calibration year's level; needs `all_goods`), "
        "`overall_deficit` (the modelled lines with the partner and every third country), "
        "`third_countries_deficit`, or `third_country_deficit[<country>]`.", default="deficit")
    participation: StrictBool | Literal["payoff", "welfare"] = text(
        "Each party must be at least as well off as with no deal. `true` or `payoff`: measured by its payoff (the "
        "weighted metrics of `payoffs`); `welfare`: by its welfare change (home: buyers, producers, tariff revenue, "
        "rents held; partner: exporters, rents, dealers, plants, its buyers, its revenue); `false`: not required "
        "(a party may lose, and no report says both gain).", default=True)
    participation_measure: dict[Literal["home", "partner"], Literal["payoff", "welfare"]] = text(
        "Per party, the measure its participation uses (`payoff` or `welfare`), overriding `participation`'s for "
        "that party, e.g. `{home: welfare}`; the measure also sets the partner's second stage and each side's "
        "gain under `nash`.", default_factory=dict)
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
    steps: dict[str, Q] = quantity(
        "Lever family (or `money`) -> one realistic step of the bounds it concerns, each with its unit and source: "
        "what binds is ranked by the value of relaxing each bound by one such step, and the step is said. A family's "
        "own bounds use its step (`commitment`: buyers' ceilings and dealer capacity; `production_shift`: spare "
        "capacity and red lines on vehicles made in either country; `purchase`: purchase limits and red lines on a "
        "good, a money step converted at the good's unit value; `tariff`: red lines on tariff rates); `money` is for "
        "bounds in USD (participation, red lines on money). Defaults: 1 percentage point for tariffs, 1,000 vehicles "
        "(the segments' unit) for commitments, production shifts and maker caps, USD 100 million of each good for "
        "purchases, USD 100 million for money.",
        "step", gt=0, default_factory=dict)
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


class DealBase(Strict):
    """A setting of levers. Levers left out are unused (in `no_deal`) or left to the model
    (in `fixed_levers`)."""


# -- the format, composed from the core and the lever families -------------------------------
_CORE_HEAD: dict[str, FieldDefinition] = {
    "schema_version": (Literal[1], text("The version of this format: 1.")),
    "name": (str, text("Short name: letters, digits, `_` and `-`; reports go to `reports/<name>/`.",
                       pattern=r"^[A-Za-z0-9_\-]+$")),
    "title": (str, text("The title at the top of reports.")),
    "question": (str, text("The question the instance answers, in a sentence or two; it opens the report.")),
    "extends": (str | None, text("Another instance file this one starts from (relative to this file, inside the "
                                 "instances tree); see Inheritance.", default=None)),
    "parties": (Parties, text("The two parties.")),
    "sources": (dict[str, SourceSpec], text("Source key -> a publication or an assumption.")),
    "settings": (SettingsSpec, text("How the model responds and what it optimizes.", default_factory=SettingsSpec)),
    "segments": (dict[str, SegmentSpec], text("Segment key -> its calibration-year data.")),
}


def _core_tail(deal: type[BaseModel]) -> dict[str, FieldDefinition]:
    return {
        "third_countries": (dict[str, ThirdCountrySpec], text(
            "Country key -> a third-country supplier of the home market (Armington segments only).",
            default_factory=dict)),
        "all_goods": (AllGoodsSpec | None, text(
            "The partner's whole goods trade with the home country in the calibration year, for the balance in all "
            "goods (see the section below); left out: no such balance.", default=None)),
        "jobs_per_unit": (dict[Literal["home", "partner"], Q], quantity(
            "Party -> jobs per vehicle built in its country (assembly and parts), for the `home_jobs` and "
            "`partner_jobs` metrics; a party left out gets no jobs metric (0).", "jobs/vehicle", ge=0, drawable=True,
            default_factory=dict)),
        "red_lines": (dict[str, RedLineSpec], text("Red line key -> a party's political limit.",
                                                   default_factory=dict)),
        "payoffs": (dict[Literal["home", "partner"], dict[str, Q]], quantity(
            "Party -> metric -> weight: a party's payoff is the sum of weight x metric over the metrics listed. A "
            "weight is USD per unit of the metric: `1` for metrics in USD, `USD/vehicle` for metrics in vehicles, "
            "`USD` for fractions.", "payoff weight", drawable=True, attribute="payoff_weights")),
        "no_deal": (deal, text("The threat point: the levers without a deal. A tariff for every segment (per "
                               "segment or per menu); other levers left out are unused.")),
        "fixed_levers": (deal, text("Levers the model may not change (e.g. the terms of a real deal); the model "
                                    "chooses the rest.", default_factory=deal, attribute="fixed")),
        "calibration": (dict[str, Q], quantity(
            "Metric -> a published total that the calibration-year baseline must reproduce to 0.1% (checked on "
            "load).", "metric", default_factory=dict)),
        "horizon": (HorizonSpec | None, text(
            "The years the deal runs over, the discount rate, growth and the levers' schedules (see horizon); "
            "without it the instance is one year.", default=None)),
        "uncertainty": (dict[str, Distribution], text(
            "Field path (e.g. `segments.suv.elasticity`) -> the distribution of that number, for `sweep "
            "--monte-carlo`; `run` ignores it.", default_factory=dict)),
    }


def _section_field(section) -> FieldDefinition:
    """A family's top-level section as a field definition (its instance attribute declared)."""
    extra = {"attribute": section.attribute} if section.attribute else None
    if section.default:
        return section.annotation, text(section.description, default_factory=dict, json_schema_extra=extra)
    return section.annotation, text(section.description, json_schema_extra=extra)


_composed: dict[int, tuple[type[BaseModel], type[BaseModel]]] = {}
_M = TypeVar("_M", bound=BaseModel)


def _model_of(name: str, base: type[_M], doc: str | None, fields: Mapping[str, FieldDefinition]) -> type[_M]:
    """pydantic's `create_model` over a mapping of field definitions. Its other options are
    given (as their defaults) so that the type checker matches the mapping to fields alone."""
    return create_model(name, __base__=base, __doc__=doc, __module__=__name__, __config__=None, __validators__=None,
                        __namespace__=None, __cls_kwargs__=None, __qualname__=None, **fields)


def _compose() -> tuple[type[BaseModel], type[BaseModel]]:
    """(InstanceSpec, DealSpec) for the lever families registered now."""
    version = registry_version()
    if version not in _composed:
        deal = _model_of("DealSpec", DealBase, DealBase.__doc__,
                         {f.section: f.deal_entry for f in families() if f.deal_entry is not None})
        fields = dict(_CORE_HEAD)
        fields.update({s.key: _section_field(s) for f in families() for s in f.sections})
        fields.update(_core_tail(deal))
        spec = _model_of("InstanceSpec", Strict,
                         "An instance file: one negotiation, every number with its unit and source.", fields)
        _composed.clear()
        _composed[version] = spec, deal
    return _composed[version]


def instance_spec() -> type[BaseModel]:
    """The instance file's format (the root model), as the lever-family registry stands."""
    return _compose()[0]


def deal_spec() -> type[BaseModel]:
    """The format of `no_deal` and `fixed_levers`: each registered family's entry."""
    return _compose()[1]


def __getattr__(name: str):
    """`schema.InstanceSpec`, `schema.DealSpec`, `schema.HEADINGS`: as the registry stands now."""
    if name == "InstanceSpec":
        return instance_spec()
    if name == "DealSpec":
        return deal_spec()
    if name == "HEADINGS":
        return headings()
    raise AttributeError(name)


def walk(path: list[str]) -> tuple[type[BaseModel] | None, str | None, Any]:
    """Follow a field path through the schema from the root: (the model that declares the
    last named field, that field's name, the type reached). Keys of mappings and list
    indices are stepped over. (None, None, None) if the path leaves the schema."""
    root = instance_spec()
    model: type[BaseModel] | None = root
    owner: type[BaseModel] | None = None
    name: str | None = None
    current: Any = root          # the type reached: a model, a union, dict[str, X]... (as walk returns it)
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
    if owner is None or name is None or _model_in(current) is not Q:
        return None
    return declared(owner, name)


# -- where each part of the format is documented (headings of docs/instance-format.md) -----
CORE_HEADINGS: dict[type[BaseModel], str] = {
    Q: "numbers", SourceSpec: "sources", Parties: "parties", SettingsSpec: "settings", SegmentSpec: "segments",
    RedLineSpec: "red_lines", Distribution: "uncertainty", ThirdCountrySpec: "third_countries",
    ThirdSupplySpec: "third-country segments", AllGoodsSpec: "all_goods", HorizonSpec: "horizon", GrowthSpec: "growth",
    ScheduleSpec: "schedules", PathSpec: "paths",
}
SECTIONS_WITHOUT_MODEL = ("payoffs", "calibration", "jobs_per_unit")   # documented under their own headings too


def headings() -> dict[type[BaseModel], str]:
    """Model -> the heading of docs/instance-format.md that documents it (the families' too)."""
    spec, deal = _compose()
    out = {spec: "top-level keys", **CORE_HEADINGS, deal: "no_deal and fixed_levers"}
    for f in families():
        for section in f.sections:
            out.update({model: heading for heading, model, _ in section.docs})
    return out


def spec_models() -> list[type[BaseModel]]:
    """Every model of the format (each documented under a heading)."""
    return list(headings())


def anchor(heading: str) -> str:
    """The link target GitHub gives a markdown heading."""
    slug = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return slug.replace(" ", "-")


def doc_link(path: list[str] | str) -> str:
    """Where docs/instance-format.md documents the field at `path`, e.g.
    'docs/instance-format.md#segments'."""
    parts = path.replace("[", ".").replace("]", "").split(".") if isinstance(path, str) else list(path)
    heading = None
    known = headings()
    if parts and parts[0] in SECTIONS_WITHOUT_MODEL:
        heading = parts[0]
    else:
        for n in range(1, len(parts) + 1):
            _, _, reached = walk(parts[:n])
            model = _model_in(reached) if reached is not None else None
            if model is not None and model is not Q and model in known:
                heading = known[model]
            elif reached is None:
                break
    return f"{DOCS}#{anchor(heading or known[instance_spec()])}"


def range_of(model: type[BaseModel], name: str) -> Range:
    """The allowed range of any field: declared in `json_schema_extra['range']`, or given to
    pydantic as `gt`/`ge`/`lt`/`le` (plain numbers such as settings)."""
    info = model.model_fields[name]
    declared_range = extra_of(info).get("range")
    spec = dict(declared_range) if isinstance(declared_range, dict) else {}
    for item in info.metadata:
        for key in ("gt", "ge", "lt", "le"):
            if getattr(item, key, None) is not None:
                spec[key] = getattr(item, key)
    return Range.of(spec)
