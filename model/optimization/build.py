"""The negotiation as a Pyomo model, built from validated data in an ordered list of steps.

The model reads no files. Tariff options' responses are precomputed (`economics`), so
the model is a MILP: binaries pick one tariff option per tariff line and each NTB
relief; continuous levers are commitments, production shifts and purchases. Levers, their
further variables, their rows and their terms in the metrics come from the lever families
(`data.families`: one module each); the core's rows (buyers' ceiling, red lines,
participation) are in `ROW_FAMILIES`. The re-solve path (`resolve`) runs the same metric code
and row generators on coefficient maps.

Scaling: each lever family states its model unit (thousand vehicles; a good's own unit
times the power of ten that makes a model unit worth about USD 1 million), and money is
in USD million inside the model (HiGHS's tolerances are absolute, and raw USD reach
1e10). Each metric's scale is in `m.metric_scale`, each constraint's in `m.row_scale`,
so that `highs` can return base units.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression
from pyomo.core.expr.numvalue import is_constant

from model.data.catalogue import (
    INDEXED_METRICS,
    METRICS,
    MONEY,
    UNIT_SCALE,
    VOL,
    WELFARE,
    metric_scale,
    split_metric,
)
from model.data.families.base import PARTNER_CEILING, PARTNER_SALES, RowGenerator, option_family
from model.data.instance import Deal, Instance
from model.data.levers import LeverFamily, families
from model.economics.metrics import References, calibration_levels, red_line_bound
from model.economics.responses import OptionOutcome
from model.optimization.forms import LinearExpr

__all__ = ["INDEXED_METRICS", "METRICS", "MONEY", "UNIT_SCALE", "VOL", "build_model", "metric_expressions",
           "metric_scale", "row_families", "read_deal", "linear", "row", "variable_name", "variable_keys"]


def build_model(instance: Instance, table: dict[tuple[str, str], OptionOutcome],
                refs: References, objective: str | None = None) -> pyo.ConcreteModel:
    """The first-stage model: every lever, metric and constraint, and the objective."""
    m = pyo.ConcreteModel(name=instance.name)
    m.row_scale, m.row_info = {}, {}
    define_sets(m, instance, table)
    define_levers(m, instance, table)
    define_metrics(m, instance, table)
    define_constraints(m, instance, table, refs)
    define_fixed_levers(m, instance)
    define_objective(m, instance, objective or instance.settings.objective)
    return m


@dataclass(frozen=True)
class IndexMaps:
    """Which options go with each segment, and each segment's tariff line, computed once.

    Every row is then built in time proportional to its own length: filtering the full
    pair sets for each row instead is quadratic (minutes at 10^5 variables)."""

    options: dict[str, list[str]]              # segment -> its tariff options, in table order
    line_of: dict[str, str]                    # segment -> its tariff line
    line_options: dict[str, list[str]]         # tariff line -> its options, in menu order


def index_maps(inst: Instance, table) -> IndexMaps:
    options: dict[str, list[str]] = {s: [] for s in inst.segments}
    for s, o in table:
        options[s].append(o)
    line_options = {name: [o.name for o in inst.line_options(name)] for name in inst.lines}
    return IndexMaps(options, dict(inst.lines.segment_line), line_options)


def linear(coefs, variables, constant=0.0):
    """constant + sum_i coefs[i] * variables[i] as one LinearExpression, built in one go: the
    same terms, in the same order, as the generator `sum(...)` gives, at a fraction of the
    cost. `coefs=None` means every coefficient is 1. With no variables: the constant."""
    if not variables:
        return constant if constant else 0
    if coefs is None:
        expr = LinearExpression(list(variables))
    else:
        expr = LinearExpression(linear_coefs=list(coefs), linear_vars=list(variables))
    return constant + expr if constant else expr


def define_sets(m, inst: Instance, table) -> None:
    """Segments, tariff lines, and the option table's (segment, option) and (line, option) pairs."""
    m.index_maps = index_maps(inst, table)
    m.SEGMENTS = pyo.Set(initialize=list(inst.segments), ordered=True)
    m.LINES = pyo.Set(initialize=list(inst.lines), ordered=True)
    m.OPTIONS = pyo.Set(dimen=2, initialize=list(table), ordered=True)
    m.LINE_OPTIONS = pyo.Set(dimen=2, ordered=True, initialize=[
        (line, o) for line, options in m.index_maps.line_options.items() for o in options])


def variable_name(family: LeverFamily) -> str:
    """The Pyomo variable of a family: `tariff_choice[s,o]` for an option family, else its name."""
    return f"{family.name}_choice" if family.kind == "option" else family.name


def variable_keys(m, inst: Instance, family: LeverFamily) -> list:
    """An option family has a binary per (key, option); the others one variable per key."""
    if family.kind == "option":
        return [(key, o) for key in family.keys(inst) for o in family.options(inst, key)]
    return family.keys(inst)


def define_levers(m, inst: Instance, table) -> None:
    """Decision variables: the concessions each party can offer, one lever family at a time
    (`data.families`), in each family's model unit: a binary per (key, option) of an option
    family (`tariff_choice[l,o]`: option o is the regime on tariff line l), a binary per key
    of a switch (`ntb_relief[n]`), an amount >= 0 per key of a quantity (`commitment[c,s]`,
    thousand vehicles). Then each family's further variables (`shift_by_option[s,o]`: the
    production shift on s if option o is chosen), after every lever's, so that each variable
    keeps its column whatever families follow.
    """
    m.lever_families = families()
    m.lever_families_by_name = {f.name: f for f in m.lever_families}
    m.lever_scale = {}              # quantity family -> key -> base units per model unit
    for f in m.lever_families:
        domain = pyo.NonNegativeReals if f.kind == "quantity" else pyo.Binary
        keys = variable_keys(m, inst, f)
        m.add_component(variable_name(f), pyo.Var(keys, domain=domain))
        if f.kind == "quantity":
            m.lever_scale[f.name] = {k: f.scale(inst, k) for k in keys}
    for f in m.lever_families:
        for var in f.variables:
            domain = pyo.Binary if var.domain == "binary" else pyo.NonNegativeReals
            m.add_component(var.name, pyo.Var(var.keys(inst, table), domain=domain))


def export_factor_terms(v, inst: Instance) -> list[tuple[str, float, object]]:
    """[(segment, factor, variable)]: the export factor F_s = sum factor x variable of the
    segments a lever family scales (the partner's tariff); other segments' F_s is 1."""
    pieces = [p for f in v.lever_families if f.export_factor is not None for p in f.export_factor(v, inst)]
    owners = [(s, f.name) for f in v.lever_families if f.export_factor is not None
              for s in {s for s, _, _ in f.export_factor(v, inst)}]
    if len({s for s, _ in owners}) != len(owners):
        raise ValueError("two lever families scale the same segment's exports")
    return pieces


def _metric_expressions(m, inst: Instance, table, linear=linear) -> dict[str, LinearExpr]:
    """Each named metric as a linear expression, in model units (see `data.catalogue`).

    The core's terms: the option table's, on the binaries that choose each segment's option
    (`option_choice` of the home tariff family): sum_o value(s,o) x choice(s,o); and today's
    exports, scaled by the export factor. Each lever family adds its terms (`LeverFamily.terms`:
    commitments to exports, a production shift taking imports at the chosen option's average,
    purchases to the balance, ...). Then the identities: balances, welfare nets, jobs.

    `linear` makes the long sums; `model.resolve` passes its own to get the same metrics
    as plain coefficient maps for re-solving with new data, from this same code."""
    seg = inst.segments
    # Option-indexed data in m.OPTIONS order: (segment, its data, the option's outcome).
    opts = [(s, seg[s], table[s, o]) for s, o in m.OPTIONS]
    ys = option_family().choices(m, inst)          # a line's binary serves each of its segments

    def per_option(values):
        """sum_o value(o) choice(s,o): the chosen option's total."""
        return linear(values, ys)

    def sparse(values):
        """`per_option` over the options whose value is not zero (metrics with no terms at all
        where an instance has no third countries, quotas or home supply elasticity)."""
        keep = [i for i, v in enumerate(values) if v != 0]
        return linear([values[i] for i in keep], [ys[i] for i in keep])

    scaled = export_factor_terms(m, inst)
    scaled_segments = {s for s, _, _ in scaled}

    def exported(per_unit):
        """sum_s per_unit(s) exports_s F_s: today's home exports, scaled by the export factor."""
        fixed = sum(per_unit(g) * g.exports for s, g in seg.items() if s not in scaled_segments)
        coefs = [per_unit(seg[s]) * seg[s].exports * factor for s, factor, _ in scaled]
        return fixed + linear(coefs, [x for _, _, x in scaled]) if scaled else fixed

    price_weight = {s: g.imports * g.import_price * (1 + g.base_tariff) for s, g in seg.items()}
    total_weight = sum(price_weight.values()) or 1.0
    # Volume totals count only the segments in the headline unit (`Instance.counted`): n = 1 or 0.
    n = [float(inst.counted(s)) for s, _, _ in opts]
    counted = {s: float(inst.counted(s)) for s in seg}
    e = {
        "imports_units": per_option([t.imports / VOL * c for (_, _, t), c in zip(opts, n)]),
        "imports_value": per_option([t.imports_value / MONEY for _, _, t in opts]),
        "exports_units": exported(lambda g: counted[g.name] / VOL),
        "exports_value": exported(lambda g: g.export_price / MONEY),
        "tariff_revenue": per_option([t.tariff_revenue / MONEY for _, _, t in opts]),
        "home_importer_rent": per_option([t.home_importer_rent / MONEY for _, _, t in opts]),
        "buyer_cost": per_option([t.buyer_cost / MONEY for _, _, t in opts]),
        "buyer_price_change": per_option(
            [price_weight[s] / total_weight * (t.buyer_price_factor - 1) for s, _, t in opts]),
        "home_production_gain": per_option([t.home_gain / VOL * c for (_, _, t), c in zip(opts, n)]),
        "partner_export_margin": per_option([t.export_margin / MONEY for _, _, t in opts]),
        "partner_production_loss": per_option([(g.imports - t.imports) / VOL * c for (_, g, t), c in zip(opts, n)]),
        "third_imports_units": sparse([sum(t.third_imports.values()) / VOL * c for (_, _, t), c in zip(opts, n)]),
        "third_imports_value": sparse([sum(t.third_value.values()) / MONEY for _, _, t in opts]),
        "third_tariff_revenue": sparse([sum(t.third_duty.values()) / MONEY for _, _, t in opts]),
        "third_exporter_surplus_change": sparse([sum(t.third_surplus.values()) / MONEY for _, _, t in opts]),
        "producer_surplus_change": sparse([t.producer_surplus / MONEY for _, _, t in opts]),
        "partner_quota_rent": sparse([t.exporter_rent / MONEY for _, _, t in opts]),
    }
    indexed = {}
    for f in m.lever_families:          # each family's terms in the named metrics, and its own metrics
        for name, term in f.terms(m, inst, table, linear).items():
            if split_metric(name)[1] is not None:
                indexed[name] = term
            else:
                e[name] = e[name] + term if name in e else term
    e["home_production_gain"] = e["home_production_gain"] + exported(lambda g: counted[g.name] / VOL) \
        - sum(g.exports * counted[s] for s, g in seg.items()) / VOL
    for name in METRICS:                # named metrics no term reached on this instance
        e.setdefault(name, 0)
    e["sector_deficit"] = e["imports_value"] - e["exports_value"]
    e["deficit"] = e["sector_deficit"] - e["purchases_value"]
    base = calibration_levels(inst)
    e["other_goods_deficit"] = base["other_goods_deficit"] / MONEY      # a constant: held at the calibration year
    e["all_goods_deficit"] = e["deficit"] + e["other_goods_deficit"]
    e["third_countries_deficit"] = e["third_imports_value"] - base["exports_to_third_countries"] / MONEY
    e["overall_deficit"] = e["sector_deficit"] + e["third_countries_deficit"]
    e["consumer_surplus_change"] = -e["buyer_cost"]
    e["tariff_revenue_change"] = e["tariff_revenue"] + e["third_tariff_revenue"] - base["tariff_revenue"] / MONEY
    e["exporter_surplus_change"] = e["partner_export_margin"] - e["partner_quota_rent"] - base["export_margin"] / MONEY
    e["partner_tariff_revenue_change"] = e["partner_tariff_revenue"] - base["partner_tariff_revenue"] / MONEY
    for parts, net in WELFARE.values():
        e[net] = sum(e[k] for k in parts)
    # Jobs in thousands (UNIT_SCALE): jobs per vehicle x thousand vehicles.
    jobs = inst.jobs_per_unit
    e["home_jobs"] = jobs["home"] * e["home_production_gain"] if jobs.get("home") else 0
    e["partner_jobs"] = -jobs["partner"] * e["partner_production_loss"] if jobs.get("partner") else 0
    choice = dict(zip(m.OPTIONS, ys))
    options = m.index_maps.options
    for s in m.SEGMENTS:
        e[f"tariff_rate[{s}]"] = linear([table[s, o].duty_rate for o in options[s]],
                                        [choice[s, o] for o in options[s]])
    for s in inst.uncounted:            # a segment in its own unit: its imports there, the shifts' parts included
        own = [(t.imports / VOL, y) for (s2, _, t), y in zip(opts, ys) if s2 == s]
        e[f"imports_units[{s}]"] = linear([a for a, _ in own], [y for _, y in own])
        if f"imports_units[{s}]" in indexed:
            e[f"imports_units[{s}]"] = e[f"imports_units[{s}]"] + indexed.pop(f"imports_units[{s}]")
    e.update(indexed)
    for c, country in inst.third_countries.items():
        e[f"third_imports_units[{c}]"] = sparse([t.third_imports.get(c, 0.0) / VOL * k for (_, _, t), k in zip(opts, n)])
        e[f"third_imports_value[{c}]"] = sparse([t.third_value.get(c, 0.0) / MONEY for _, _, t in opts])
        e[f"third_country_deficit[{c}]"] = e[f"third_imports_value[{c}]"] - country.exports_value / MONEY
        e[f"third_exporter_surplus_change[{c}]"] = sparse([t.third_surplus.get(c, 0.0) / MONEY for _, _, t in opts])
    return e


def metric_expressions(v, inst: Instance, table, linear=linear) -> tuple[dict, dict]:
    """(metric -> expression in model units, metric -> base units per model unit), payoffs
    included: payoff_i = sum_k weight_ik * metric_k, with weights in USD per metric unit.
    `v` holds the variables (the Pyomo model, or `resolve`'s coefficient maps)."""
    exprs = _metric_expressions(v, inst, table, linear)
    scale = {name: metric_scale(inst, name) for name in exprs}
    for party in ("home", "partner"):
        exprs[f"{party}_payoff"] = sum(
            w * scale[k] / MONEY * exprs[k] for k, w in inst.payoff_weights[party].items())
        scale[f"{party}_payoff"] = MONEY
    return exprs, scale


def define_metrics(m, inst: Instance, table) -> None:
    """Named metrics as Pyomo Expressions (see `metric_expressions`)."""
    exprs, m.metric_scale = metric_expressions(m, inst, table)
    m.METRICS = pyo.Set(initialize=list(exprs), ordered=True)
    m.metric = pyo.Expression(m.METRICS, rule=lambda m, k: exprs[k])


def row(m, lhs, sense: str, rhs):
    """`lhs sense rhs` as a constraint rule's return value. A row with no variables (a
    segment no channel can serve, say) is skipped when it holds; when it cannot hold it
    is kept, through a variable fixed at zero, so that the model is honestly infeasible."""
    if isinstance(rhs, float) and math.isinf(rhs):
        return pyo.Constraint.Skip          # an 'unlimited' bound: no row at all
    expr = lhs <= rhs if sense == "<=" else (lhs >= rhs if sense == ">=" else lhs == rhs)
    if expr is True:
        return pyo.Constraint.Skip
    if expr is False:
        if not hasattr(m, "constant_zero"):
            m.constant_zero = pyo.Var(bounds=(0, 0))
        return row(m, lhs + m.constant_zero, sense, rhs)
    return expr


def define_constraints(m, inst: Instance, table, refs) -> None:
    """Every constraint family of `ROW_FAMILIES` (and of lever families that bring their
    own rows) as an indexed Pyomo Constraint named after it; rows that carry a shadow price
    are registered with their scale, so duals can be read in base units."""
    # A metric with no terms on this instance (third countries where it has none) enters rows as
    # its constant, so that `row` can tell a red line that always holds from one that never can.
    metrics = {k: float(pyo.value(m.metric[k].expr)) if is_constant(m.metric[k].expr) else m.metric[k]
               for k in m.METRICS}
    for name, generate in row_families(m):
        rows = {index: (lhs, sense, rhs, scale) for index, lhs, sense, rhs, scale
                in generate(m, inst, table, refs, metrics, linear)}
        keys = list(rows)
        m.add_component(name, pyo.Constraint(keys, rule=_rule(rows)))
        component = getattr(m, name)
        for index, (_, _, _, scale) in rows.items():
            if scale is not None and index in component:
                m.row_scale[f"{name}[{index}]"] = scale
                m.row_info[f"{name}[{index}]"] = component[index]


def _rule(rows):
    def rule(m, *index):
        lhs, sense, rhs, _ = rows[index[0] if len(index) == 1 else index]
        return row(m, lhs, sense, rhs)
    return rule


def row_families(v) -> list[tuple[str, RowGenerator]]:
    """(constraint family name, row generator), in model order: one option per key of each
    option family, the buyers' ceiling, each lever family's own rows (`LeverFamily.rows`),
    then red lines and participation."""
    choices = [(f"one_{f.name}_option", one_option_rows(f)) for f in v.lever_families if f.kind == "option"]
    own = [pair for f in v.lever_families for pair in f.rows]
    return choices + list(ROW_FAMILIES[:1]) + own + list(ROW_FAMILIES[1:])


# Each row generator yields (index, lhs, sense, rhs, scale): `lhs sense rhs` in model units,
# and the base units per model unit of the row's bound (None: no shadow price is reported).
# `v` holds the variables (the Pyomo model, or `resolve`'s coefficient maps) and `metrics`
# the metric expressions; the same generators build the model and re-solve it.

def one_option_rows(family: LeverFamily):
    """One option per key of an option family (a tariff line): sum_o choice[l,o] = 1."""
    def generate(v, inst: Instance, table, refs, metrics, linear):
        var = getattr(v, variable_name(family))
        for key in family.keys(inst):
            yield key, sum(var[key, o] for o in family.options(inst, key)), "==", 1, None
    return generate


def buyer_ceiling_rows(v, inst: Instance, table, refs, metrics, linear):
    """Partner buyers take no more home-made vehicles than they want: partner_sales[s] <=
    partner_ceiling[s], with partner_sales[s] = exports_s F_s + sum of the lever families'
    contributions (commitments: sum_c commitment[c,s]) and partner_ceiling[s] = ceiling_s F_s
    + theirs (NTB relief: sum_n lift_ns ntb_relief[n]); F_s is the export factor (1, or the
    partner's tariff's: sum_o F_s(o) partner_tariff_choice[line(s),o])."""
    scaled: dict[str, list] = {}       # segment -> [(factor, variable)]
    for s, factor, var in export_factor_terms(v, inst):
        scaled.setdefault(s, []).append((factor, var))
    market: dict = {}
    for f in v.lever_families:
        for key, term in f.market(v, inst, linear).items():
            market[key] = market[key] + term if key in market else term
    for s in v.SEGMENTS:
        seg = inst.segments[s]
        sold, ceiling = seg.exports / VOL, seg.partner_ceiling / VOL
        if s in scaled:
            sold = linear([seg.exports / VOL * f for f, _ in scaled[s]], [x for _, x in scaled[s]])
            ceiling = linear([seg.partner_ceiling / VOL * f for f, _ in scaled[s]], [x for _, x in scaled[s]])
        if (PARTNER_SALES, s) in market:
            sold = sold + market[PARTNER_SALES, s]
        if (PARTNER_CEILING, s) in market:
            ceiling = ceiling + market[PARTNER_CEILING, s]
        yield s, sold, "<=", ceiling, VOL


def red_line_rows(v, inst: Instance, table, refs, metrics, linear):
    """Each party's red lines: metric <= bound or metric >= bound (bound in the metric's model unit)."""
    for r in inst.red_lines:
        scale = metric_scale(inst, r.metric)
        yield r.name, metrics[r.metric], r.sense, red_line_bound(r, refs) / scale, scale


def participation_rows(v, inst: Instance, table, refs, metrics, linear):
    """Each party is at least as well off as with no deal, in the measure it is held to
    (`settings.participation_measure`): payoff_i >= no-deal payoff_i, or welfare_i >= no-deal welfare_i."""
    if inst.settings.participation:
        for p in ("home", "partner"):
            m = inst.settings.measure(p)
            yield p, metrics[m], ">=", refs.no_deal[m] / MONEY, MONEY


# The core's constraint families: the buyers' ceiling first, red lines and participation
# last; the lever families' own rows go between them (`row_families`).
ROW_FAMILIES = (
    ("buyer_ceiling", buyer_ceiling_rows),
    ("red_line", red_line_rows),
    ("participation", participation_rows),
)


def define_fixed_levers(m, inst: Instance) -> None:
    """Levers the instance fixes (e.g. the terms of a real deal) are fixed variables."""
    for f in m.lever_families:
        var, fixed = getattr(m, variable_name(f)), inst.fixed.values(f.deal_field)
        if f.kind == "option":
            for line, opt in fixed.items():
                for o in f.options(inst, line):
                    var[line, o].fix(1 if o == opt else 0)
        elif f.kind == "switch":
            for key, on in fixed.items():
                var[key].fix(1 if on else 0)
        else:
            for key, value in fixed.items():
                var[key].fix(value / f.scale(inst, key))


def read_deal(inst: Instance, lever_families: list[LeverFamily], values_of,
              threshold: float | None = None) -> tuple[Deal, dict[str, dict]]:
    """The deal in base units from the variables' values, and each binary family's raw
    values (for the integrality check). `values_of(variable name)` gives {key: value}.
    Continuous amounts below `threshold` (default: settings.noise_threshold, in each lever's
    own unit) are the solver's tolerance at work, not part of the deal: they read as zero."""
    if threshold is None:
        threshold = inst.settings.noise_threshold
    fields: dict[str, dict] = {}
    binaries: dict[str, dict] = {}
    for f in lever_families:
        raw = values_of(variable_name(f))
        if f.kind == "option":
            binaries[f.name] = raw
            best: dict[str, tuple[str, float]] = {}     # line -> its first option with the largest value
            for (line, option), x in raw.items():
                if line not in best or x > best[line][1]:
                    best[line] = (option, x)
            fields[f.deal_field] = {line: best[line][0] for line in f.keys(inst)}
        elif f.kind == "switch":
            binaries[f.name] = raw
            fields[f.deal_field] = {k: x > 0.5 for k, x in raw.items()}
        else:
            amounts = {k: _clean(x) * f.scale(inst, k) for k, x in raw.items()}
            fields[f.deal_field] = {k: 0.0 if abs(v) < threshold else v for k, v in amounts.items()}
    return Deal().with_values_of(fields), binaries


def _clean(v: float | None) -> float:
    """Solver noise around zero (|v| < 1e-12) reads as exactly zero."""
    return 0.0 if v is None or abs(v) < 1e-12 else float(v)


def define_objective(m, inst: Instance, objective: str) -> None:
    """Stage one of `min_deficit`: minimize the home party's bilateral deficit (USD million).
    Other objectives replace this one (see `objectives`)."""
    name = inst.settings.objective_metric
    m.objective = pyo.Objective(expr=m.metric[name], sense=pyo.minimize)
    m.objective_name, m.objective_scale = name, MONEY

