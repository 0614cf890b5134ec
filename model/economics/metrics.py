"""The named outcome metrics, evaluated for any setting of the levers in plain Python.

This is the model's second, independent path from levers to outcomes: the Pyomo
model states the same metrics as linear expressions over its variables; here they are
computed from the chosen tariff options' exact responses. Baseline and no-deal values
come from here, and so does the verification of every solver solution.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.data.catalogue import (
    BALANCE_METRICS,
    INDEXED_METRICS,
    METRICS,
    PAYOFF_METRICS,
    WELFARE,
    MetricInfo,
    metric_label,
    metric_unit,
    split_metric,
)
from model.data.families.base import families
from model.data.instance import Deal, Instance
from model.economics.outcomes import chosen_outcomes
from model.economics.responses import OptionOutcome

__all__ = ["BALANCE_METRICS", "INDEXED_METRICS", "METRICS", "PAYOFF_METRICS", "WELFARE", "MetricInfo", "metric_label",
           "metric_unit", "split_metric", "by_index", "evaluate", "export_factors", "partner_market",
           "calibration_levels", "References", "references", "red_line_bound"]


def by_index(values: dict[tuple[str, str], float], position: int) -> dict[str, list[float]]:
    """Pair-keyed values grouped by one part of the key, e.g. commitments by segment
    (position 1), each group in the dict's order: one pass instead of one scan per group."""
    out: dict[str, list[float]] = {}
    for key, v in values.items():
        out.setdefault(key[position], []).append(v)
    return out


def export_factors(instance: Instance, deal: Deal) -> dict[str, float]:
    """Segment -> the factor today's home exports and the partner buyers' ceiling scale by
    under the deal (1 unless a lever family scales it: the partner's tariff)."""
    out = {s: 1.0 for s in instance.segments}
    for f in families():
        if f.export_factor is not None:
            out.update(f.export_factor_values(instance, deal.values(f.deal_field)))
    return out


def partner_market(instance: Instance, deal: Deal) -> dict[tuple[str, str], float]:
    """{(partner_sales or partner_ceiling, segment): what the lever families add to it}."""
    out: dict[tuple[str, str], float] = {}
    for f in families():
        for key, amount in f.market_values(instance, deal.values(f.deal_field)).items():
            out[key] = out[key] + amount if key in out else amount
    return out


def evaluate(instance: Instance, deal: Deal | None,
             table: dict[tuple[str, str], OptionOutcome] | None = None) -> dict[str, float]:
    """Every metric for `deal` (None: the calibration-year baseline).

    The core's terms are the option table's, at each segment's chosen option, and today's
    exports scaled by their export factor; each lever family adds its own terms
    (`LeverFamily.values`, the plain-Python twin of its model terms); then the identities:
    balances, welfare nets, jobs, payoffs."""
    outcomes = chosen_outcomes(instance, deal, table)
    levers = deal or Deal()
    xf = export_factors(instance, levers)
    segs = instance.segments
    weight = {s: seg.imports * seg.import_price * (1 + seg.base_tariff) for s, seg in segs.items()}
    total_weight = sum(weight.values()) or 1.0
    lost_imports = {s: seg.imports - outcomes[s].imports for s, seg in segs.items()}
    counted = [s for s in segs if instance.counted(s)]       # volume totals: the headline unit's segments
    third = {c: sum(outcomes[s].third_imports.get(c, 0.0) for s in counted) for c in instance.third_countries}
    third_value = {c: sum(o.third_value.get(c, 0.0) for o in outcomes.values()) for c in instance.third_countries}
    v = {
        "imports_units": sum(outcomes[s].imports for s in counted),
        "imports_value": sum(outcomes[s].imports * outcomes[s].unit_value for s in segs),
        "exports_units": sum(segs[s].exports * xf[s] for s in counted),
        "exports_value": sum(seg.exports * xf[s] * seg.export_price for s, seg in segs.items()),
        "tariff_revenue": sum(outcomes[s].tariff_revenue for s in segs),
        "home_importer_rent": sum(outcomes[s].home_importer_rent for s in segs),
        "buyer_cost": sum(o.buyer_cost for o in outcomes.values()),
        "buyer_price_change": sum(weight[s] * (outcomes[s].buyer_price_factor - 1) for s in segs) / total_weight,
        "home_production_gain": sum(outcomes[s].home_gain for s in counted),
        "partner_export_margin": sum(outcomes[s].export_margin for s in segs),
        "partner_production_loss": sum(lost_imports[s] for s in counted),
        "third_imports_units": sum(third.values()),
        "third_imports_value": sum(third_value.values()),
        "third_tariff_revenue": sum(d for o in outcomes.values() for d in o.third_duty.values()),
        "third_exporter_surplus_change": sum(x for o in outcomes.values() for x in o.third_surplus.values()),
        "producer_surplus_change": sum(o.producer_surplus for o in outcomes.values()),
        "partner_quota_rent": sum(outcomes[s].exporter_rent for s in segs),
    }
    indexed: dict[str, float] = {}
    for f in families():                  # each family's terms in the named metrics, and its own metrics
        for name, amount in f.values(instance, levers.values(f.deal_field), outcomes).items():
            if split_metric(name)[1] is not None:
                indexed[name] = amount
            else:
                v[name] = v[name] + amount if name in v else amount
    v["home_production_gain"] += sum(segs[s].exports * (xf[s] - 1) for s in counted)
    for name in METRICS:                  # named metrics no term reached on this instance
        v.setdefault(name, 0.0)
    v["sector_deficit"] = v["imports_value"] - v["exports_value"]
    v["deficit"] = v["sector_deficit"] - v["purchases_value"]
    base = calibration_levels(instance)
    v["other_goods_deficit"] = base["other_goods_deficit"]
    v["all_goods_deficit"] = v["deficit"] + v["other_goods_deficit"]
    v["third_countries_deficit"] = v["third_imports_value"] - base["exports_to_third_countries"]
    v["overall_deficit"] = v["sector_deficit"] + v["third_countries_deficit"]
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
    for s in instance.uncounted:          # a segment in its own unit: its imports there, the shifts' parts included
        v[f"imports_units[{s}]"] = outcomes[s].imports + indexed.pop(f"imports_units[{s}]", 0.0)
    v.update(indexed)
    for c, country in instance.third_countries.items():
        v[f"third_imports_units[{c}]"] = third[c]
        v[f"third_imports_value[{c}]"] = third_value[c]
        v[f"third_country_deficit[{c}]"] = third_value[c] - country.exports_value
        v[f"third_exporter_surplus_change[{c}]"] = sum(o.third_surplus.get(c, 0.0) for o in outcomes.values())
    return v


def calibration_levels(instance: Instance) -> dict[str, float]:
    """Calibration-year levels that the welfare metrics are changes from, from the data
    directly (every price factor is 1 there): tariff revenue on imports from every source,
    the partner exporters' margin, the partner's tariff revenue on home exports; home
    exports to the third countries (fixed); and the balance in the goods not negotiated, held
    at this level: all goods (`all_goods`) less the modelled lines, imports less exports (0
    without `all_goods`)."""
    segs = instance.segments.values()
    third = [sup for g in segs if g.armington is not None for sup in g.armington.suppliers]
    lines_imports = sum(g.imports * g.import_price for g in segs)
    lines_exports = sum(g.exports * g.export_price for g in segs)
    every = instance.all_goods
    return {
        "other_goods_deficit": 0.0 if every is None else (every.imports - lines_imports) - (every.exports - lines_exports),
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
