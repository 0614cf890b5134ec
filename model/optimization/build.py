"""The negotiation as a Pyomo model, built from validated data in an ordered list of steps.

The model reads no files. Tariff options' responses are precomputed (`economics`), so
the model is a MILP: binaries pick one tariff option per segment and each NTB relief;
continuous levers are commitments, production shifts and purchases.

Scaling: vehicle quantities are in thousands of vehicles and money in USD million
inside the model (HiGHS's tolerances are absolute, and raw USD reach 1e10). Each
metric's scale is in `m.metric_scale`, each constraint's in `m.row_scale`, so that
`solver` can return base units.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from model.data.instance import Instance
from model.economics.metrics import References, metric_unit, red_line_bound
from model.economics.responses import OptionOutcome

VOL = 1e3     # model unit of vehicle quantities: thousand vehicles
MONEY = 1e6   # model unit of money: USD million

UNIT_SCALE = {"vehicles": VOL, "USD": MONEY, "fraction": 1.0}


def build_model(instance: Instance, table: dict[tuple[str, str], OptionOutcome],
                refs: References, objective: str | None = None) -> pyo.ConcreteModel:
    """The first-stage model: every lever, metric and constraint, and the objective."""
    m = pyo.ConcreteModel(name=instance.name)
    m.row_scale, m.row_info = {}, {}
    for step in (define_sets, define_levers, define_metrics, define_tariff_choice,
                 define_buyer_ceilings, define_channel_capacity, define_production_shift,
                 define_purchase_limits, define_red_lines, define_participation, define_fixed_levers):
        step(m, instance, table, refs)
    define_objective(m, instance, objective or instance.settings.objective)
    return m


@dataclass(frozen=True)
class IndexMaps:
    """Which options, channels and makers go with each segment (and back), computed once.

    Every row is then built in time proportional to its own length: filtering the full
    pair sets for each row instead is quadratic (minutes at 10^5 variables)."""

    options: dict[str, list[str]]              # segment -> its tariff options, in table order
    channels_of_segment: dict[str, list[str]]  # segment -> channels that source it, in channel order
    segments_of_channel: dict[str, list[str]]
    segments_of_maker: dict[str, list[str]]
    makers_of_segment: dict[str, list[str]]    # in maker order


def index_maps(inst: Instance, table) -> IndexMaps:
    options: dict[str, list[str]] = {s: [] for s in inst.segments}
    for s, o in table:
        options[s].append(o)
    by_segment: dict[str, list[str]] = {s: [] for s in inst.segments}
    for c, ch in inst.channels.items():
        for s in ch.segments:
            by_segment[s].append(c)
    makers: dict[str, list[str]] = {s: [] for s in inst.segments}
    for k, mk in inst.makers.items():
        for s in mk.segments:
            makers[s].append(k)
    return IndexMaps(options, by_segment, {c: list(ch.segments) for c, ch in inst.channels.items()},
                     {k: list(mk.segments) for k, mk in inst.makers.items()}, makers)


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


def define_sets(m, inst: Instance, table, refs) -> None:
    """Segments, tariff options per segment, channel-segment and maker-segment pairs."""
    m.index_maps = index_maps(inst, table)
    m.SEGMENTS = pyo.Set(initialize=list(inst.segments), ordered=True)
    m.OPTIONS = pyo.Set(dimen=2, initialize=list(table), ordered=True)
    m.CHANNEL_SEGMENTS = pyo.Set(dimen=2, ordered=True, initialize=[
        (c, s) for c, ch in inst.channels.items() for s in ch.segments])
    m.MAKER_SEGMENTS = pyo.Set(dimen=2, ordered=True, initialize=[
        (k, s) for k, mk in inst.makers.items() for s in mk.segments])
    m.NTB = pyo.Set(initialize=list(inst.ntb_measures), ordered=True)
    m.GOODS = pyo.Set(initialize=list(inst.goods), ordered=True)


def define_levers(m, inst: Instance, table, refs) -> None:
    """Decision variables: the concessions each party can offer.

    tariff_choice[s,o] (home): 1 if option o is the tariff regime on segment s.
    ntb_relief[n] (partner): 1 if the partner grants non-tariff-barrier relief n.
    commitment[c,s] (partner): thousand home-made vehicles sold through channel c.
    production_shift[k,s] (partner makers): thousand vehicles moved to home plants.
    shift_by_option[s,o]: the shift on s if option o is chosen, else 0 (links the shift to
        the chosen option's imports and average duty, keeping the model linear).
    purchase[g] (partner): units of good g bought from home.
    """
    m.tariff_choice = pyo.Var(m.OPTIONS, domain=pyo.Binary)
    m.ntb_relief = pyo.Var(m.NTB, domain=pyo.Binary)
    m.commitment = pyo.Var(m.CHANNEL_SEGMENTS, domain=pyo.NonNegativeReals)
    m.production_shift = pyo.Var(m.MAKER_SEGMENTS, domain=pyo.NonNegativeReals)
    m.shift_by_option = pyo.Var(m.OPTIONS, domain=pyo.NonNegativeReals)
    m.purchase = pyo.Var(m.GOODS, domain=pyo.NonNegativeReals)


def _metric_expressions(m, inst: Instance, table, linear=linear) -> dict[str, object]:
    """Each named metric as a linear expression, in model units (see `metrics.py`).

    `linear` makes the long sums; `model.resolve` passes its own to get the same metrics
    as plain coefficient maps for re-solving with new data, from this same code."""
    y, w, x, h, q, z = (m.tariff_choice, m.shift_by_option, m.commitment,
                        m.production_shift, m.purchase, m.ntb_relief)
    seg = inst.segments
    # Option-indexed data in m.OPTIONS order: (segment, its data, the option's outcome).
    opts = [(s, seg[s], table[s, o]) for s, o in m.OPTIONS]
    ys = [y[k] for k in m.OPTIONS]
    ws = [w[k] for k in m.OPTIONS]
    pairs = list(m.CHANNEL_SEGMENTS)
    xs = [x[k] for k in pairs]
    hs = [h[k] for k in m.MAKER_SEGMENTS]

    def per_option(values, per_shifted=None):
        """sum_o value(o) y[s,o] - sum_o per_shifted(o) w[s,o]: an option's total, less
        what production shifted out of its imports takes with it (at its average)."""
        expr = linear(values, ys)
        if per_shifted is not None:
            expr -= linear(per_shifted, ws)
        return expr

    def average(attr):
        return [getattr(t, attr) / t.imports * VOL / MONEY if t.imports > 0 else 0.0 for _, _, t in opts]

    shifted = linear(None, hs)
    committed = linear(None, xs)
    price_weight = {s: g.imports * g.import_price * (1 + g.base_tariff) for s, g in seg.items()}
    total_weight = sum(price_weight.values()) or 1.0
    e = {
        "imports_units": per_option([t.imports / VOL for _, _, t in opts]) - shifted,
        "imports_value": per_option([t.imports_value / MONEY for _, _, t in opts],
                                    [t.unit_value * VOL / MONEY for _, _, t in opts]),
        "exports_units": sum(g.exports for g in seg.values()) / VOL + committed,
        "exports_value": sum(g.exports * g.export_price for g in seg.values()) / MONEY
        + linear([inst.channels[c].unit_value[s] * VOL / MONEY for c, s in pairs], xs),
        "purchases_value": sum(inst.goods[g].unit_value / MONEY * q[g] for g in m.GOODS),
        "tariff_revenue": per_option([t.tariff_revenue / MONEY for _, _, t in opts], average("tariff_revenue")),
        "buyer_cost": per_option([t.buyer_cost / MONEY for _, _, t in opts]),
        "buyer_price_change": per_option(
            [price_weight[s] / total_weight * (t.buyer_price_factor - 1) for s, _, t in opts]),
        "home_production_gain": per_option(
            [g.home_substitution * (g.imports - t.imports) / VOL for _, g, t in opts])
        + shifted + committed,
        "partner_export_margin": per_option([t.export_margin / MONEY for _, _, t in opts], average("export_margin")),
        "dealer_margin": linear([inst.channels[c].dealer_margin * VOL / MONEY for c, _ in pairs], xs),
        "partner_production_loss": per_option([(g.imports - t.imports) / VOL for _, g, t in opts])
        + shifted + linear([seg[s].displacement for _, s in pairs], xs),
        "partner_political_cost": sum(inst.ntb_measures[n].political_cost / MONEY * z[n] for n in m.NTB)
        + sum(inst.goods[g].political_cost / MONEY * q[g] for g in m.GOODS),
    }
    e["deficit"] = e["imports_value"] - e["exports_value"] - e["purchases_value"]
    options = m.index_maps.options
    for s in m.SEGMENTS:
        e[f"tariff_rate[{s}]"] = linear([table[s, o].duty_rate for o in options[s]], [y[s, o] for o in options[s]])
    for g in m.GOODS:
        e[f"purchases_units[{g}]"] = q[g]
    return e


def define_metrics(m, inst: Instance, table, refs) -> None:
    """Named metrics as Pyomo Expressions; payoffs are weighted sums of them.

    payoff_i = sum_k weight_ik * metric_k, with weights in USD per metric unit.
    """
    exprs = _metric_expressions(m, inst, table)
    m.metric_scale = {name: _scale(inst, name) for name in exprs}
    for party in ("home", "partner"):
        exprs[f"{party}_payoff"] = sum(
            w * m.metric_scale[k] / MONEY * exprs[k] for k, w in inst.payoff_weights[party].items())
        m.metric_scale[f"{party}_payoff"] = MONEY
    m.METRICS = pyo.Set(initialize=list(exprs), ordered=True)
    m.metric = pyo.Expression(m.METRICS, rule=lambda m, k: exprs[k])


def _scale(inst: Instance, name: str) -> float:
    return UNIT_SCALE.get(metric_unit(inst, name), 1.0)


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


def _register(m, component, index, name: str, scale: float) -> None:
    """Name a constraint for duals and reports (skipped rows have no data object)."""
    if index in component:
        m.row_scale[name] = scale
        m.row_info[name] = component[index]


def define_tariff_choice(m, inst: Instance, table, refs) -> None:
    """One tariff option per segment: sum_o tariff_choice[s,o] = 1."""
    options = m.index_maps.options
    m.one_tariff_option = pyo.Constraint(m.SEGMENTS, rule=lambda m, s: sum(
        m.tariff_choice[s, o] for o in options[s]) == 1)


def define_buyer_ceilings(m, inst: Instance, table, refs) -> None:
    """Partner buyers take no more home-made vehicles than they want:
    exports_s + sum_c commitment[c,s] <= ceiling_s + sum_n lift_ns * ntb_relief[n]."""
    channels = m.index_maps.channels_of_segment

    def rule(m, s):
        seg = inst.segments[s]
        sold = seg.exports / VOL + sum(m.commitment[c, s] for c in channels[s])
        ceiling = seg.partner_ceiling / VOL + sum(
            n.ceiling_lift.get(s, 0.0) / VOL * m.ntb_relief[k] for k, n in inst.ntb_measures.items())
        return row(m, sold, "<=", ceiling)
    m.buyer_ceiling = pyo.Constraint(m.SEGMENTS, rule=rule)
    for s in m.SEGMENTS:
        _register(m, m.buyer_ceiling, s, f"buyer_ceiling[{s}]", VOL)


def define_channel_capacity(m, inst: Instance, table, refs) -> None:
    """A dealer network sells at most its capacity: sum_s commitment[c,s] <= capacity_c."""
    m.CHANNELS = pyo.Set(initialize=list(inst.channels), ordered=True)
    segments = m.index_maps.segments_of_channel
    m.channel_capacity = pyo.Constraint(m.CHANNELS, rule=lambda m, c: row(m, linear(
        None, [m.commitment[c, s] for s in segments[c]]), "<=", inst.channels[c].capacity / VOL))
    for c in m.CHANNELS:
        _register(m, m.channel_capacity, c, f"channel_capacity[{c}]", VOL)


def define_production_shift(m, inst: Instance, table, refs) -> None:
    """Production shifts fit in spare home plants and replace imports that exist.

    sum_s production_shift[k,s] <= spare_capacity_k
    sum_o shift_by_option[s,o] = sum_k production_shift[k,s]
    shift_by_option[s,o] <= imports(s,o) * tariff_choice[s,o]
    """
    m.MAKERS = pyo.Set(initialize=list(inst.makers), ordered=True)
    ix = m.index_maps
    m.spare_capacity = pyo.Constraint(m.MAKERS, rule=lambda m, k: row(m, linear(
        None, [m.production_shift[k, s] for s in ix.segments_of_maker[k]]), "<=", inst.makers[k].spare_capacity / VOL))
    m.shift_split = pyo.Constraint(m.SEGMENTS, rule=lambda m, s: row(m, sum(
        m.shift_by_option[s, o] for o in ix.options[s]), "==", sum(
        m.production_shift[k, s] for k in ix.makers_of_segment[s])))
    m.shift_within_imports = pyo.Constraint(m.OPTIONS, rule=lambda m, s, o: (
        m.shift_by_option[s, o] <= table[s, o].imports / VOL * m.tariff_choice[s, o]))
    for k in m.MAKERS:
        _register(m, m.spare_capacity, k, f"spare_capacity[{k}]", VOL)


def define_purchase_limits(m, inst: Instance, table, refs) -> None:
    """The partner buys at most the stated quantity of each good: purchase[g] <= max_g."""
    m.purchase_limit = pyo.Constraint(m.GOODS, rule=lambda m, g: row(m, m.purchase[g], "<=", inst.goods[g].max_units))
    for g in m.GOODS:
        _register(m, m.purchase_limit, g, f"purchase_limit[{g}]", 1.0)


def define_red_lines(m, inst: Instance, table, refs) -> None:
    """Each party's red lines: metric <= bound or metric >= bound."""
    lines = {r.name: r for r in inst.red_lines}
    m.RED_LINES = pyo.Set(initialize=list(lines), ordered=True)

    def rule(m, name):
        r = lines[name]
        lhs, rhs = m.metric[r.metric], red_line_bound(r, refs) / m.metric_scale[r.metric]
        return row(m, lhs, r.sense, rhs)
    m.red_line = pyo.Constraint(m.RED_LINES, rule=rule)
    for name, r in lines.items():
        _register(m, m.red_line, name, f"red_line[{name}]", m.metric_scale[r.metric])


def define_participation(m, inst: Instance, table, refs) -> None:
    """Each party is at least as well off as with no deal: payoff_i >= no-deal payoff_i."""
    parties = ["home", "partner"] if inst.settings.participation else []
    m.PARTIES = pyo.Set(initialize=parties, ordered=True)
    m.participation = pyo.Constraint(m.PARTIES, rule=lambda m, p: row(
        m, m.metric[f"{p}_payoff"], ">=", refs.no_deal[f"{p}_payoff"] / MONEY))
    for p in parties:
        _register(m, m.participation, p, f"participation[{p}]", MONEY)


def define_fixed_levers(m, inst: Instance, table, refs) -> None:
    """Levers the instance fixes (e.g. the terms of a real deal) are fixed variables."""
    f = inst.fixed
    for s, opt in f.tariff.items():
        for o in m.index_maps.options[s]:
            m.tariff_choice[s, o].fix(1 if o == opt else 0)
    for key, v in f.commitments.items():
        m.commitment[key].fix(v / VOL)
    for n, on in f.ntb.items():
        m.ntb_relief[n].fix(1 if on else 0)
    for key, v in f.shift.items():
        m.production_shift[key].fix(v / VOL)
    for g, v in f.purchases.items():
        m.purchase[g].fix(v)


def define_objective(m, inst: Instance, objective: str) -> None:
    """Stage one of `min_deficit`: minimize the home party's bilateral deficit (USD million).
    Other objectives replace this one (see `objectives`)."""
    m.objective = pyo.Objective(expr=m.metric["deficit"], sense=pyo.minimize)
    m.objective_name, m.objective_scale = "deficit", MONEY

