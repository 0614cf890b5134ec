"""The metric catalogue: every named outcome, its unit, label and party, and how the model scales it.

Red lines, payoffs, `calibration`, `settings.objective_weights` and every report name
metrics from here. The core metrics (balances, welfare, the option table's outcomes) are
declared below; a lever family adds metrics of its own when it is registered
(`model.data.families.base.register_lever_family`) and takes them away when it is
unregistered. The values are computed in `model.economics.metrics` (plain Python) and
`model.optimization.build` (model expressions), from the same named terms.

Model scaling lives here too: quantities in thousands of their count unit, money in USD
million inside the model (HiGHS's tolerances are absolute, and raw USD reach 1e10).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

VOL = 1e3     # model unit of vehicle quantities: thousand vehicles
MONEY = 1e6   # model unit of money: USD million
UNIT_SCALE = {"vehicles": VOL, "USD": MONEY, "fraction": 1.0, "jobs": 1e3}


def value_scale(unit_value: float) -> float:
    """Model unit of a good counted in its own unit: the power of ten that makes one model
    unit worth about USD 1 million, so a purchase's deficit coefficient is near 1 whether the
    good is stated per Btu or per MMBtu (HiGHS's tolerances are absolute)."""
    if not unit_value or not math.isfinite(unit_value) or unit_value <= 0:
        return 1.0
    return 10.0 ** round(math.log10(MONEY / unit_value))


@dataclass(frozen=True)
class MetricInfo:
    unit: str          # base unit of the value ('vehicles': the segments' own count unit)
    label: str
    party: str | None  # whose metric it is, for reports


class IndexedMetric(NamedTuple):
    """A metric with one value per entry of an instance section, written 'tariff_rate[compact]'.

    unit 'own' is each entry's own unit (a good's `unit`); `scale` then gives the model
    units of one entry (None: by the unit, as for scalar metrics)."""

    kind: str                                          # what indexes it, in words: 'segment', 'good'
    label: str
    unit: str
    keys: Callable[[Any], Mapping] = lambda inst: {}   # the instance's entries (each with a `label`)
    scale: Callable[[Any, str], float] | None = None   # base units per model unit of one entry's value
    named: bool = False                                # labels say the entry's label (else its key)


METRICS: dict[str, MetricInfo] = {
    "imports_units": MetricInfo("vehicles", "{units} imported from the partner", None),
    "imports_value": MetricInfo("USD", "value of {units} imported from the partner", None),
    "exports_units": MetricInfo("vehicles", "home-made {units} sold in the partner's market", None),
    "exports_value": MetricInfo("USD", "value of home-made {units} sold in the partner's market", None),
    "sector_deficit": MetricInfo("USD", "bilateral deficit in the modelled lines (every segment with the partner, "
                                        "vehicles and parts lines alike: imports value - exports value; no "
                                        "purchases)", "home"),
    "purchases_value": MetricInfo("USD", "additional value of the partner's purchase commitments (the share it "
                                         "would not have bought from the home country anyway)", None),
    "purchases_gross_value": MetricInfo("USD", "value of the partner's purchase commitments, additional or not", None),
    "deficit": MetricInfo("USD", "bilateral deficit in the negotiated goods (the modelled lines less the additional "
                                 "share of purchase commitments)", "home"),
    "other_goods_deficit": MetricInfo("USD", "bilateral deficit in the goods not negotiated, held at the calibration "
                                             "year's level (the partner's whole goods trade less the modelled lines; "
                                             "needs `all_goods`)", "home"),
    "all_goods_deficit": MetricInfo("USD", "bilateral deficit in all goods (the negotiated goods plus the goods not "
                                           "negotiated at the calibration year's level; needs `all_goods`)", "home"),
    "tariff_revenue": MetricInfo("USD", "tariff revenue on imports from the partner (and auctioned quota licences)",
                                 "home"),
    "home_importer_rent": MetricInfo("USD", "quota rent held by home importers", "home"),
    "buyer_cost": MetricInfo("USD", "home buyers' surplus loss from higher prices", "home"),
    "buyer_price_change": MetricInfo("fraction", "average change in home buyers' price of the partner's {units}", "home"),
    "home_production_gain": MetricInfo("vehicles", "extra {units} made in the home country", "home"),
    "partner_export_margin": MetricInfo("USD", "partner exporters' margin, quota rent included", "partner"),
    "dealer_margin": MetricInfo("USD", "partner dealers' margin on home-made {units} they sell", "partner"),
    "partner_production_loss": MetricInfo("vehicles", "{units} no longer made in the partner country", "partner"),
    "partner_political_cost": MetricInfo("USD", "partner's political cost of its concessions", "partner"),
    "partner_tariff_revenue": MetricInfo("USD", "partner's tariff revenue on home-made goods sold there today "
                                                "(commitments aside)", "partner"),
    "partner_plant_margin": MetricInfo("USD", "partner makers' margin on production shifted to their home-country "
                                              "plants", "partner"),
    # Third countries (Armington segments; zero without them) and the overall balance.
    "third_imports_units": MetricInfo("vehicles", "{units} imported from third countries", None),
    "third_imports_value": MetricInfo("USD", "value of {units} imported from third countries", None),
    "third_countries_deficit": MetricInfo("USD", "balance with the third countries in the modelled lines (imports "
                                                 "value - home exports to them where the instance gives them, which "
                                                 "the deal does not change; imports alone where it does not)",
                                          "home"),
    "overall_deficit": MetricInfo("USD", "overall balance in the modelled lines (with the partner and the third "
                                         "countries listed)", "home"),
    "third_tariff_revenue": MetricInfo("USD", "tariff revenue on imports from third countries", "home"),
    "third_exporter_surplus_change": MetricInfo("USD", "third countries' exporters' surplus change on their supply "
                                                       "curves (diversion costs them; what they absorb of a tariff "
                                                       "where their pass-through is imposed)", None),
    # Welfare by party and cause: changes against the calibration year, USD a year.
    "consumer_surplus_change": MetricInfo("USD", "home buyers' surplus change (minus buyer_cost)", "home"),
    "tariff_revenue_change": MetricInfo("USD", "home tariff and licence revenue change, imports from every source",
                                        "home"),
    "producer_surplus_change": MetricInfo("USD", "home producers' surplus change (zero with perfectly elastic home "
                                                 "supply)", "home"),
    "home_welfare": MetricInfo("USD", "home welfare change: buyers + tariff revenue + importers' quota rent + "
                                      "producers", "home"),
    "partner_quota_rent": MetricInfo("USD", "quota rent held by the partner's exporters", "partner"),
    "exporter_surplus_change": MetricInfo("USD", "partner exporters' surplus change on their margin (quota rent "
                                                 "apart)", "partner"),
    "partner_tariff_revenue_change": MetricInfo("USD", "partner's tariff revenue change on home-made goods", "partner"),
    "partner_buyer_surplus_change": MetricInfo("USD", "partner buyers' surplus change on home-made goods: from the "
                                                      "partner's own tariff on today's sales, and the wider choice "
                                                      "of standards relief (an upper bound)", "partner"),
    "partner_welfare": MetricInfo("USD", "partner welfare change: exporters' margin + quota rent + dealers' margin + "
                                         "plant margin + its buyers + tariff revenue", "partner"),
    "third_welfare": MetricInfo("USD", "third countries' welfare change: their exporters' surplus on their supply "
                                       "curves (diversion costs them)", None),
    # Jobs (zero unless the instance gives `jobs_per_unit`).
    "home_jobs": MetricInfo("jobs", "jobs gained in the home country (jobs per unit built x home production gain)",
                            "home"),
    "partner_jobs": MetricInfo("jobs", "jobs gained in the partner country (minus jobs per unit built x production "
                                       "loss)", "partner"),
    "home_payoff": MetricInfo("USD", "home party's payoff (weighted sum of metrics)", "home"),
    "partner_payoff": MetricInfo("USD", "partner's payoff (weighted sum of metrics)", "partner"),
}

# Indexed metrics, written 'tariff_rate[compact]'. Unit 'vehicles' is the segments' own count unit.
INDEXED_METRICS: dict[str, IndexedMetric] = {
    "tariff_rate": IndexedMetric("segment", "tariff actually paid (revenue over customs value)", "fraction",
                                 lambda inst: inst.segments),
    # A segment counted in another unit than the headline one (auto parts in USD): its imports in its
    # own unit, which the headline total (imports_units) leaves out.
    "imports_units": IndexedMetric("segment", "imports from the partner of a segment counted in another unit than "
                                              "the headline one, in its own unit",
                                   "own", lambda inst: {s: inst.segments[s] for s in inst.uncounted},
                                   scale=lambda inst, k: VOL, named=True),
    "third_imports_units": IndexedMetric("third country", "{units} imported from the third country", "vehicles",
                                         lambda inst: inst.third_countries, named=True),
    "third_imports_value": IndexedMetric("third country", "value of {units} imported from the third country", "USD",
                                         lambda inst: inst.third_countries, named=True),
    "third_country_deficit": IndexedMetric("third country", "balance with the third country in the modelled lines "
                                                            "(imports alone where its exports_value is not given)",
                                           "USD", lambda inst: inst.third_countries, named=True),
    "third_exporter_surplus_change": IndexedMetric("third country", "the third country's exporters' surplus change",
                                                   "USD", lambda inst: inst.third_countries, named=True),
}

PAYOFF_METRICS = ("home_payoff", "partner_payoff")

# The balances `settings.objective_metric` may name (and their per-country form).
BALANCE_METRICS = ("deficit", "sector_deficit", "all_goods_deficit", "overall_deficit", "third_countries_deficit")

# The bilateral balances, narrowest first: (a) the modelled lines, (b) the negotiated goods
# (the lines and the additional purchases), (c) all goods (the negotiated goods plus the goods not
# negotiated held at the calibration year's level; only with the instance's `all_goods`).
BILATERAL_BALANCES = ("sector_deficit", "deficit", "all_goods_deficit")

# Metrics that need the instance's `all_goods` (the partner's whole goods trade with the home country).
ALL_GOODS_METRICS = ("all_goods_deficit", "other_goods_deficit")

# Metric names an instance file may still carry from before a rename: old name -> (new name, why).
RENAMED_METRICS = {
    "negotiated_deficit": ("sector_deficit", "it is the balance in the modelled lines alone (vehicles and parts); the "
                                             "negotiated goods' balance, purchases included, is 'deficit'"),
}


def renamed_hint(name: str) -> str | None:
    """'metric 'negotiated_deficit' is now 'sector_deficit' (...)' for a renamed metric, else None."""
    base, index = split_metric(name)
    if base not in RENAMED_METRICS:
        return None
    new, why = RENAMED_METRICS[base]
    return f"'{base}' is now called '{new}': {why}"

# Welfare by party and cause: party -> (its parts, its net). The net is the sum of the parts.
WELFARE = {
    "home": (("consumer_surplus_change", "tariff_revenue_change", "home_importer_rent", "producer_surplus_change"),
             "home_welfare"),
    "partner": (("exporter_surplus_change", "partner_quota_rent", "dealer_margin", "partner_plant_margin",
                 "partner_buyer_surplus_change", "partner_tariff_revenue_change"), "partner_welfare"),
    "third": (("third_exporter_surplus_change",), "third_welfare"),
}
# How reports name the parties of WELFARE that are not the instance's two.
WELFARE_PARTY_NAMES = {"third": "Third countries"}


def add_metrics(owner: str, metrics: Mapping[str, MetricInfo], indexed: Mapping[str, IndexedMetric]) -> None:
    """Add a lever family's own metrics; a name already in the catalogue is an error."""
    clash = [n for n in (*metrics, *indexed) if n in METRICS or n in INDEXED_METRICS]
    if clash:
        raise ValueError(f"lever family '{owner}' declares metric(s) the catalogue already has: {', '.join(clash)}")
    METRICS.update(metrics)
    INDEXED_METRICS.update(indexed)


def remove_metrics(names) -> None:
    for name in names:
        METRICS.pop(name, None)
        INDEXED_METRICS.pop(name, None)


def split_metric(name: str) -> tuple[str, str | None]:
    """'tariff_rate[compact]' -> ('tariff_rate', 'compact'); 'deficit' -> ('deficit', None)."""
    if name.endswith("]") and "[" in name:
        base, _, index = name[:-1].partition("[")
        return base, index
    return name, None


def metric_unit(instance, name: str) -> str:
    """A metric's unit in the instance's words: quantities of the negotiated goods are in the
    segments' own unit ('vehicles', 'tonne', ...; 'units' when they differ)."""
    base, index = split_metric(name)
    if index is not None and INDEXED_METRICS[base].unit == "own":
        return INDEXED_METRICS[base].keys(instance)[index].unit
    unit = INDEXED_METRICS[base].unit if index is not None else METRICS[base].unit
    return instance.quantity_unit if unit == "vehicles" else unit


def metric_label(instance, name: str) -> str:
    """A metric's label in the instance's words: a count in the headline unit ('vehicles imported
    from the partner'), a value over every line ('value of vehicles and auto parts imported ...')."""
    base, index = split_metric(name)
    info = INDEXED_METRICS[base] if index is not None else METRICS[base]
    units = instance.quantity_unit if info.unit in ("vehicles", "own") else lines_words(instance)
    if index is None:
        return METRICS[base].label.format(units=units)
    label = INDEXED_METRICS[base].label.format(units=units)
    known = INDEXED_METRICS[base].keys(instance).get(index) if INDEXED_METRICS[base].named else None
    return f"{label}: {known.label if known else index}"


def lines_words(instance, *more: str) -> str:
    """The modelled lines in words, then `more` (e.g. 'the additional purchases'): each count
    unit of the segments, and the label of each segment counted in money (a parts line):
    'vehicles', 'vehicles and auto parts', 'vehicles, auto parts and the additional purchases'."""
    names: list[str] = []
    for seg in instance.segments.values():
        name = seg.label if seg.unit == "USD" else seg.unit
        if name not in names:
            names.append(name)
    names += more
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def bilateral_balances(instance) -> tuple[str, ...]:
    """The bilateral balances an instance shows, narrowest first: all goods only with `all_goods`."""
    return tuple(m for m in BILATERAL_BALANCES if m != "all_goods_deficit" or instance.all_goods is not None)


def balance_name(instance, metric: str) -> str:
    """What a bilateral balance is, in words, for reports: 'deficit in vehicles with Japan', 'deficit
    in the negotiated goods (vehicles and the additional purchases)', 'deficit in all goods with Japan
    (other goods at the calibration year's level)'."""
    partner, lines = instance.parties["partner"], lines_words(instance)
    if metric == "sector_deficit":
        return f"deficit in {lines} with {partner}"
    if metric == "deficit":
        if instance.sections.get("goods"):
            return f"deficit in the negotiated goods ({lines_words(instance, 'the additional purchases')})"
        return f"deficit in the negotiated goods ({lines}; no purchases)"
    if metric == "all_goods_deficit":
        return f"deficit in all goods with {partner} (other goods at the calibration year's level)"
    if metric == "other_goods_deficit":
        return f"deficit in the goods not negotiated with {partner} (held at the calibration year's level)"
    return metric_label(instance, metric)


def metric_scale(instance, name: str) -> float:
    """Base units per model unit of a metric: by its unit, or an indexed metric's own scale."""
    base, index = split_metric(name)
    own = INDEXED_METRICS[base].scale if index is not None else None
    if index is not None and own is not None:
        return own(instance, index)
    unit = INDEXED_METRICS[base].unit if index is not None else METRICS[base].unit    # vehicles: any count unit
    return UNIT_SCALE.get(unit, 1.0)
