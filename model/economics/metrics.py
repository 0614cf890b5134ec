"""The named outcome metrics, evaluated for any setting of the levers in plain Python.

This is the model's second, independent path from levers to outcomes: the Pyomo
model states the same metrics as linear expressions over its variables; here they are
computed from the chosen tariff options' exact responses. Baseline and no-deal values
come from here, and so does the verification of every solver solution.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.data.instance import Deal, Instance
from model.data.levers import families
from model.economics.responses import (
    OptionOutcome,
    chosen_export_factors,
    chosen_outcomes,
    chosen_partner_rates,
)


@dataclass(frozen=True)
class MetricInfo:
    unit: str          # base unit of the value
    label: str
    party: str | None  # whose metric it is, for reports


METRICS: dict[str, MetricInfo] = {
    "imports_units": MetricInfo("vehicles", "{units} imported from the partner", None),
    "imports_value": MetricInfo("USD", "value of {units} imported from the partner", None),
    "exports_units": MetricInfo("vehicles", "home-made {units} sold in the partner's market", None),
    "exports_value": MetricInfo("USD", "value of home-made {units} sold in the partner's market", None),
    "negotiated_deficit": MetricInfo("USD", "bilateral deficit in the negotiated goods (imports value - exports "
                                            "value)", "home"),
    "purchases_value": MetricInfo("USD", "additional value of the partner's purchase commitments (the share it "
                                         "would not have bought from the home country anyway)", None),
    "purchases_gross_value": MetricInfo("USD", "value of the partner's purchase commitments, additional or not", None),
    "deficit": MetricInfo("USD", "bilateral deficit (negotiated goods less additional purchases)", "home"),
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
    "third_countries_deficit": MetricInfo("USD", "deficit with the third countries in the negotiated goods (imports "
                                                 "value - home exports to them, which the deal does not change)",
                                          "home"),
    "overall_deficit": MetricInfo("USD", "overall deficit in the negotiated goods (with the partner and the third "
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
    "partner_welfare": MetricInfo("USD", "partner welfare change: exporters' margin + quota rent + dealers' margin + "
                                         "plant margin + tariff revenue", "partner"),
    # Jobs (zero unless the instance gives `jobs_per_unit`).
    "home_jobs": MetricInfo("jobs", "jobs gained in the home country (jobs per unit built x home production gain)",
                            "home"),
    "partner_jobs": MetricInfo("jobs", "jobs gained in the partner country (minus jobs per unit built x production "
                                       "loss)", "partner"),
    "home_payoff": MetricInfo("USD", "home party's payoff (weighted sum of metrics)", "home"),
    "partner_payoff": MetricInfo("USD", "partner's payoff (weighted sum of metrics)", "partner"),
}

# Indexed metrics: name -> (what indexes them, label, unit). Written 'tariff_rate[compact]'.
# Unit 'vehicles' is the segments' own count unit; 'good' the good's own unit.
INDEXED_METRICS: dict[str, tuple[str, str, str]] = {
    "tariff_rate": ("segment", "tariff actually paid (revenue over customs value)", "fraction"),
    "purchases_units": ("good", "units of the good the partner buys", "good"),
    "third_imports_units": ("third country", "{units} imported from the third country", "vehicles"),
    "third_imports_value": ("third country", "value of {units} imported from the third country", "USD"),
    "third_country_deficit": ("third country", "deficit with the third country in the negotiated goods", "USD"),
    "third_exporter_surplus_change": ("third country", "the third country's exporters' surplus change", "USD"),
}

PAYOFF_METRICS = ("home_payoff", "partner_payoff")

# The balances `settings.objective_metric` may name (and their per-country form).
BALANCE_METRICS = ("deficit", "negotiated_deficit", "overall_deficit", "third_countries_deficit")

# Welfare by party and cause: party -> (its parts, its net). The net is the sum of the parts.
WELFARE = {
    "home": (("consumer_surplus_change", "tariff_revenue_change", "home_importer_rent", "producer_surplus_change"),
             "home_welfare"),
    "partner": (("exporter_surplus_change", "partner_quota_rent", "dealer_margin", "partner_plant_margin",
                 "partner_tariff_revenue_change"), "partner_welfare"),
}


def split_metric(name: str) -> tuple[str, str | None]:
    """'tariff_rate[compact]' -> ('tariff_rate', 'compact'); 'deficit' -> ('deficit', None)."""
    if name.endswith("]") and "[" in name:
        base, _, index = name[:-1].partition("[")
        return base, index
    return name, None


def metric_unit(instance: Instance, name: str) -> str:
    """A metric's unit in the instance's words: quantities of the negotiated goods are in the
    segments' own unit ('vehicles', 'tonne', ...; 'units' when they differ)."""
    base, index = split_metric(name)
    if base == "purchases_units" and index is not None:
        return instance.goods[index].unit
    unit = INDEXED_METRICS[base][2] if index is not None else METRICS[base].unit
    return instance.quantity_unit if unit == "vehicles" else unit


def metric_label(instance: Instance, name: str) -> str:
    """A metric's label in the instance's words."""
    base, index = split_metric(name)
    if index is None:
        return METRICS[base].label.format(units=instance.quantity_unit)
    label = INDEXED_METRICS[base][1].format(units=instance.quantity_unit)
    known = instance.third_countries.get(index) if INDEXED_METRICS[base][0] == "third country" else None
    return f"{label}: {known.label if known else index}"


def by_index(values: dict[tuple[str, str], float], position: int) -> dict[str, list[float]]:
    """Pair-keyed values grouped by one part of the key, e.g. commitments by segment
    (position 1), each group in the dict's order: one pass instead of one scan per group."""
    out: dict[str, list[float]] = {}
    for key, v in values.items():
        out.setdefault(key[position], []).append(v)
    return out


def evaluate(instance: Instance, deal: Deal | None,
             table: dict[tuple[str, str], OptionOutcome] | None = None) -> dict[str, float]:
    """Every metric for `deal` (None: the calibration-year baseline)."""
    outcomes = chosen_outcomes(instance, deal, table)
    xf, rates = chosen_export_factors(instance, deal), chosen_partner_rates(instance, deal)
    levers = deal or Deal()
    segs = instance.segments
    shift_by, commit_by = by_index(levers.shift, 1), by_index(levers.commitments, 1)
    shift = {s: sum(shift_by.get(s, ())) for s in segs}
    commit = {s: sum(commit_by.get(s, ())) for s in segs}

    def kept(s: str) -> float:
        """Share of the option's imports still imported after production shifts; shifted
        vehicles displace imports in proportion (their average duty and margin)."""
        m = outcomes[s].imports
        return 1 - shift[s] / m if m > 0 else 0.0

    weight = {s: seg.imports * seg.import_price * (1 + seg.base_tariff) for s, seg in segs.items()}
    total_weight = sum(weight.values()) or 1.0
    lost_imports = {s: seg.imports - outcomes[s].imports for s, seg in segs.items()}
    third = {c: sum(o.third_imports.get(c, 0.0) for o in outcomes.values()) for c in instance.third_countries}
    third_value = {c: sum(o.third_value.get(c, 0.0) for o in outcomes.values()) for c in instance.third_countries}
    v = {
        "imports_units": sum(outcomes[s].imports - shift[s] for s in segs),
        "imports_value": sum((outcomes[s].imports - shift[s]) * outcomes[s].unit_value for s in segs),
        "exports_units": sum(seg.exports * xf[s] for s, seg in segs.items()) + sum(levers.commitments.values()),
        "exports_value": sum(seg.exports * xf[s] * seg.export_price for s, seg in segs.items())
        + sum(x * instance.channels[c].unit_value[s] for (c, s), x in levers.commitments.items()),
        "purchases_value": sum(q * instance.goods[g].unit_value * instance.goods[g].additional_share
                               for g, q in levers.purchases.items()),
        "purchases_gross_value": sum(q * instance.goods[g].unit_value for g, q in levers.purchases.items()),
        "tariff_revenue": sum(outcomes[s].tariff_revenue * kept(s) for s in segs),
        "home_importer_rent": sum(outcomes[s].home_importer_rent * kept(s) for s in segs),
        "buyer_cost": sum(o.buyer_cost for o in outcomes.values()),
        "buyer_price_change": sum(weight[s] * (outcomes[s].buyer_price_factor - 1) for s in segs) / total_weight,
        "home_production_gain": sum(outcomes[s].home_gain for s in segs)
        + sum(shift.values()) + sum(commit.values()) + sum(seg.exports * (xf[s] - 1) for s, seg in segs.items()),
        "partner_tariff_revenue": sum(rates[s] * seg.exports * xf[s] * seg.export_price for s, seg in segs.items()),
        "partner_export_margin": sum(outcomes[s].export_margin * kept(s) for s in segs),
        "dealer_margin": sum(x * instance.channels[c].dealer_margin for (c, _), x in levers.commitments.items()),
        "partner_production_loss": sum(lost_imports.values()) + sum(shift.values())
        + sum(segs[s].displacement * commit[s] for s in segs),
        "partner_political_cost": sum(instance.ntb_measures[n].political_cost for n, on in levers.ntb.items() if on)
        + sum(q * instance.goods[g].political_cost for g, q in levers.purchases.items()),
        "partner_plant_margin": sum(x * instance.makers[k].home_plant_margin for (k, _), x in levers.shift.items()),
        "third_imports_units": sum(third.values()),
        "third_imports_value": sum(third_value.values()),
        "third_tariff_revenue": sum(d for o in outcomes.values() for d in o.third_duty.values()),
        "third_exporter_surplus_change": sum(x for o in outcomes.values() for x in o.third_surplus.values()),
        "producer_surplus_change": sum(o.producer_surplus for o in outcomes.values()),
        "partner_quota_rent": sum(outcomes[s].exporter_rent * kept(s) for s in segs),
    }
    for f in families():                  # lever families whose effects add to the metrics
        if f.metric_values is not None:
            for name, amount in f.metric_values(instance, levers.values(f.deal_field)).items():
                v[name] += amount
    v["negotiated_deficit"] = v["imports_value"] - v["exports_value"]
    v["deficit"] = v["negotiated_deficit"] - v["purchases_value"]
    base = calibration_levels(instance)
    v["third_countries_deficit"] = v["third_imports_value"] - base["exports_to_third_countries"]
    v["overall_deficit"] = v["negotiated_deficit"] + v["third_countries_deficit"]
    v["consumer_surplus_change"] = -v["buyer_cost"]
    v["tariff_revenue_change"] = v["tariff_revenue"] + v["third_tariff_revenue"] - base["tariff_revenue"]
    v["exporter_surplus_change"] = v["partner_export_margin"] - v["partner_quota_rent"] - base["export_margin"]
    v["partner_tariff_revenue_change"] = v["partner_tariff_revenue"] - base["partner_tariff_revenue"]
    for party, (parts, net) in WELFARE.items():
        v[net] = sum(v[k] for k in parts)
    jobs = instance.jobs_per_unit
    v["home_jobs"] = jobs.get("home", 0.0) * v["home_production_gain"]
    v["partner_jobs"] = -jobs.get("partner", 0.0) * v["partner_production_loss"]
    for party in ("home", "partner"):
        v[f"{party}_payoff"] = sum(w * v[m] for m, w in instance.payoff_weights[party].items())
    for s in segs:
        v[f"tariff_rate[{s}]"] = outcomes[s].duty_rate
    for g in instance.goods:
        v[f"purchases_units[{g}]"] = levers.purchases.get(g, 0.0)
    for c, country in instance.third_countries.items():
        v[f"third_imports_units[{c}]"] = third[c]
        v[f"third_imports_value[{c}]"] = third_value[c]
        v[f"third_country_deficit[{c}]"] = third_value[c] - country.exports_value
        v[f"third_exporter_surplus_change[{c}]"] = sum(o.third_surplus.get(c, 0.0) for o in outcomes.values())
    return v


def calibration_levels(instance: Instance) -> dict[str, float]:
    """Calibration-year levels that the welfare metrics are changes from, from the data
    directly (every price factor is 1 there): tariff revenue on imports from every source,
    the partner exporters' margin, the partner's tariff revenue on home exports; and home
    exports to the third countries (fixed)."""
    segs = instance.segments.values()
    third = [sup for g in segs if g.armington is not None for sup in g.armington.suppliers]
    return {
        "tariff_revenue": sum(g.base_tariff * g.imports * g.import_price for g in segs)
        + sum(sup.base_tariff * sup.imports * sup.import_price for sup in third),
        "export_margin": sum(g.imports * g.partner_margin for g in segs),
        "partner_tariff_revenue": sum(g.partner_base_tariff * g.exports * g.export_price for g in segs),
        "exports_to_third_countries": sum(c.exports_value for c in instance.third_countries.values()),
    }


@dataclass(frozen=True)
class References:
    """Metric values that red lines and participation are stated against."""

    baseline: dict[str, float]
    no_deal: dict[str, float]


def references(instance: Instance, table) -> References:
    """The baseline and no-deal metrics, which red lines and participation are stated against."""
    return References(baseline=evaluate(instance, None), no_deal=evaluate(instance, instance.no_deal, table))


def red_line_bound(line, refs: References) -> float:
    """The red line's bound in base units (a multiple of the reference if relative)."""
    if line.relative_to is None:
        return line.bound
    ref = refs.baseline if line.relative_to == "baseline" else refs.no_deal
    return line.bound * ref[line.metric]
