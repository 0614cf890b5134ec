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
    "home_payoff": MetricInfo("USD", "home party's payoff (weighted sum of metrics)", "home"),
    "partner_payoff": MetricInfo("USD", "partner's payoff (weighted sum of metrics)", "partner"),
}

# Indexed metrics: name -> (what indexes them, label). Written 'tariff_rate[compact]'.
INDEXED_METRICS: dict[str, tuple[str, str]] = {
    "tariff_rate": ("segment", "tariff actually paid (revenue over customs value)"),
    "purchases_units": ("good", "units of the good the partner buys"),
}

PAYOFF_METRICS = ("home_payoff", "partner_payoff")


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
    if base == "tariff_rate":
        return "fraction"
    if base == "purchases_units":
        return instance.goods[index].unit
    unit = METRICS[base].unit
    return instance.quantity_unit if unit == "vehicles" else unit


def metric_label(instance: Instance, name: str) -> str:
    """A metric's label in the instance's words."""
    base, index = split_metric(name)
    if base in METRICS:
        return METRICS[base].label.format(units=instance.quantity_unit)
    return f"{INDEXED_METRICS[base][1]}: {index}"


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
        "home_production_gain": sum(segs[s].home_substitution * lost_imports[s] for s in segs)
        + sum(shift.values()) + sum(commit.values()) + sum(seg.exports * (xf[s] - 1) for s, seg in segs.items()),
        "partner_tariff_revenue": sum(rates[s] * seg.exports * xf[s] * seg.export_price for s, seg in segs.items()),
        "partner_export_margin": sum(outcomes[s].export_margin * kept(s) for s in segs),
        "dealer_margin": sum(x * instance.channels[c].dealer_margin for (c, _), x in levers.commitments.items()),
        "partner_production_loss": sum(lost_imports.values()) + sum(shift.values())
        + sum(segs[s].displacement * commit[s] for s in segs),
        "partner_political_cost": sum(instance.ntb_measures[n].political_cost for n, on in levers.ntb.items() if on)
        + sum(q * instance.goods[g].political_cost for g, q in levers.purchases.items()),
        "partner_plant_margin": sum(x * instance.makers[k].home_plant_margin for (k, _), x in levers.shift.items()),
    }
    for f in families():                  # lever families whose effects add to the metrics
        if f.metric_values is not None:
            for name, amount in f.metric_values(instance, levers.values(f.deal_field)).items():
                v[name] += amount
    v["negotiated_deficit"] = v["imports_value"] - v["exports_value"]
    v["deficit"] = v["negotiated_deficit"] - v["purchases_value"]
    for party in ("home", "partner"):
        v[f"{party}_payoff"] = sum(w * v[m] for m, w in instance.payoff_weights[party].items())
    for s in segs:
        v[f"tariff_rate[{s}]"] = outcomes[s].duty_rate
    for g in instance.goods:
        v[f"purchases_units[{g}]"] = levers.purchases.get(g, 0.0)
    return v


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
