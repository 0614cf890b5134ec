"""Objectives other than `min_deficit`: a weighted sum of metrics, and Nash bargaining.

Nash bargaining maximizes sum_i w_i log(g_i), g_i = payoff_i - no-deal payoff_i. The log
is concave, so it is replaced by its tangent lines (outer approximation): a variable
u_i <= log(g_k) + (g_i - g_k) / g_k for every tangent point g_k found so far. Each MILP
gives a new point; iterations stop when the linear approximation and the true log
objective agree to NASH_TOLERANCE (relative). Gains must be positive: a party that
cannot gain over no deal leaves no Nash deal.
"""
from __future__ import annotations

import math

import pyomo.environ as pyo

from model.data.instance import Instance
from model.economics.metrics import References
from model.optimization.build import MONEY, variable_name
from model.optimization.highs import (
    LARGE_MODEL_VARIABLES,
    SolveOutcome,
    change_bounds,
    proven_fixings,
    solve,
    warm_start,
)

NASH_TOLERANCE = 1e-6
NASH_MAX_CUTS = 200
MIN_GAIN = 1e-6          # USD million: a gain of $1, so the log stays finite


def solve_objective(solver, m, inst: Instance, refs: References, objective: str, time_limit=None):
    """Replace the deficit objective with `objective`, solve, return (outcome, extras)."""
    if objective == "weighted":
        return solve_weighted(solver, m, inst, time_limit)
    if objective == "nash":
        return solve_nash(solver, m, inst, refs, time_limit)
    raise ValueError(f"unknown objective {objective!r}")


def weighted_expression(m, weights: dict[str, float]):
    """sum_k w_k metric_k in USD million (weights are per base unit of each metric)."""
    return sum(w * m.metric_scale[k] / MONEY * m.metric[k] for k, w in weights.items())


def solve_weighted(solver, m, inst: Instance, time_limit=None):
    """Maximize the instance's weighted sum of metrics."""
    m.objective.deactivate()
    m.weighted_objective = pyo.Objective(expr=weighted_expression(m, inst.settings.objective_weights),
                                         sense=pyo.maximize)
    outcome = solve(solver, m, time_limit)
    value = pyo.value(m.weighted_objective) * MONEY if outcome.has_solution else None
    _restore(m, "weighted_objective")
    return outcome, {"objective_metric": "weighted_sum", "objective_value": value, "objective_unit": "USD",
                     "weights": dict(inst.settings.objective_weights)}


def _without_round_off(expr, rel: float = 1e-12):
    """A linear expression without terms whose coefficient is round-off (below `rel` of the
    largest): in a constraint HiGHS drops them anyway, with a warning on stdout."""
    from pyomo.repn import generate_standard_repn
    repn = generate_standard_repn(expr, compute_values=True, quadratic=False)
    if not repn.is_linear():
        return expr
    biggest = max((abs(c) for c in repn.linear_coefs), default=0.0)
    return sum((c * v for c, v in zip(repn.linear_coefs, repn.linear_vars) if abs(c) > rel * biggest), repn.constant)


def solve_nash(solver, m, inst: Instance, refs: References, time_limit=None):
    """Nash bargaining by tangent-line outer approximation (see module docstring)."""
    weights = inst.settings.nash_weights
    parties = [p for p in ("home", "partner") if weights.get(p, 0) > 0]
    m.objective.deactivate()
    m.NASH_PARTIES = pyo.Set(initialize=parties, ordered=True)
    m.nash_gain = pyo.Expression(m.NASH_PARTIES, rule=lambda m, p: (
        _without_round_off(m.metric[f"{p}_payoff"]) - refs.no_deal[f"{p}_payoff"] / MONEY))
    m.nash_positive = pyo.Constraint(m.NASH_PARTIES, rule=lambda m, p: m.nash_gain[p] >= MIN_GAIN)
    m.nash_log = pyo.Var(m.NASH_PARTIES)
    m.nash_cuts = pyo.ConstraintList()
    # Start from the deal that maximizes the weighted sum of gains (a point on the frontier).
    m.nash_objective = pyo.Objective(expr=sum(weights[p] * m.nash_gain[p] for p in parties), sense=pyo.maximize)
    outcome = solve(solver, m, time_limit)
    if not outcome.has_solution:
        _restore(m, "nash_objective")
        note = ("no deal gives both parties a positive gain over no deal, so there is no Nash bargaining "
                "solution" if outcome.status == "infeasible" else outcome.message)
        return SolveOutcome(outcome.status, message=note), {"objective_metric": "nash_product", "nash": {"note": note}}
    m.nash_objective.deactivate()
    m.nash_log_objective = pyo.Objective(expr=sum(weights[p] * m.nash_log[p] for p in parties), sense=pyo.maximize)
    cuts, gap, true = 0, math.inf, None
    while cuts < NASH_MAX_CUTS:
        gains = {p: max(pyo.value(m.nash_gain[p]), MIN_GAIN) for p in parties}
        for p in parties:       # the tangent of log at the current gain
            g = gains[p]
            m.nash_cuts.add(m.nash_log[p] <= math.log(g) + (m.nash_gain[p] - g) / g)
            cuts += 1
        outcome = solve(solver, m, time_limit)
        if not outcome.has_solution:
            break
        approx = pyo.value(m.nash_log_objective)
        true = sum(weights[p] * math.log(max(pyo.value(m.nash_gain[p]), MIN_GAIN)) for p in parties)
        gap = (approx - true) / max(abs(true), 1e-9)
        if gap <= NASH_TOLERANCE:
            break
    extras = {"objective_metric": "nash_product", "objective_value": true, "objective_unit": "sum of w log(gain in USD million)",
              "nash": {"weights": {p: weights[p] for p in parties}, "cuts": cuts, "relative_gap": gap,
                       "tolerance": NASH_TOLERANCE,
                       "gains": {p: pyo.value(m.nash_gain[p]) * MONEY for p in parties} if outcome.has_solution else None}}
    if outcome.has_solution and gap > NASH_TOLERANCE:
        outcome = SolveOutcome("error", message=f"Nash approximation stopped at relative gap {gap:.1e} after "
                               f"{cuts} cuts", has_solution=True)
    _restore(m, "nash_log_objective")
    return outcome, extras


def _restore(m, name: str) -> None:
    """Put the deficit objective back (the fixed LP's shadow prices are about the deficit)."""
    getattr(m, name).deactivate()
    m.objective.activate()


# Large models' second stage (no time limit given) may take as long as stage one did, and at least
# STAGE_TWO_MIN_SECONDS. Its root LP is the deficit-optimal face of stage one, a slab 1e-9 thick: on
# the generated 10^6-variable instance it had not finished in 33 minutes where stage one took 3.
# Warm-started from stage one's deal, a stage two stopped by this budget still returns a deal with
# the optimal deficit; the report says that the tie-break is not proven.
STAGE_TWO_MIN_SECONDS = 60.0


def stage_two_time_limit(columns: int, stage_one_seconds: float, time_limit: float | None) -> float | None:
    """The time limit of stage two: the user's, else for models over LARGE_MODEL_VARIABLES
    columns stage one's time (at least STAGE_TWO_MIN_SECONDS), else none."""
    if time_limit or columns <= LARGE_MODEL_VARIABLES:
        return time_limit
    return max(STAGE_TWO_MIN_SECONDS, stage_one_seconds)


# Fix, for the second stage, the binaries that stage one proves cannot move (see lexicographic_stage).
# Off by default: measured on generated instances, proving the fixings (an LP relaxation solve, warm
# from stage one's basis) costs more than it saves once the second MIP presolves properly (10^5
# variables: 26 s against 13.5 s for the stage; 10^4: 0.7 s against 1.3 s); see docs/performance.md.
FIX_PROVEN = False


def lexicographic_stage(solver, m, inst: Instance, time_limit, fix: bool | None = None) -> dict:
    """Stage two: deficit <= optimum + tolerance, maximize the partner's payoff.

    Changes reach HiGHS directly (one added row, new costs and sense; no reload), HiGHS's
    stale LP basis is cleared so that the MIP presolves (with it, HiGHS skipped presolve and
    the stage took 3x as long), and the search is warm-started from stage one's optimum,
    which is feasible here. With `fix` (default FIX_PROVEN), the binaries that stage one's LP
    relaxation proves cannot move within the tolerance are also fixed for this stage
    (`highs.proven_fixings`: reduced-cost fixing with a recomputed, rigorous bound): the
    same feasible set and optimum."""
    name = m.objective_name
    best = pyo.value(m.metric[name])
    tol = inst.settings.lexicographic_tolerance * max(1.0, abs(best))
    start = solver.values()
    fixed = proven_fixings(solver, best + tol, time_limit) if (FIX_PROVEN if fix is None else fix) else {}
    released = change_bounds(solver, fixed)
    for j, (value, _) in fixed.items():      # the start sits exactly on the fixed values (not 0.9999999)
        start[j] = value
    m.keep_deficit = pyo.Constraint(expr=m.metric[name] <= best + tol)
    m.objective.deactivate()
    m.second_stage = pyo.Objective(expr=m.metric["partner_payoff"], sense=pyo.maximize)
    solver.sync(m)
    solver.h.clearSolver()          # the relaxation's basis is no start for this MIP
    warm_start(solver, start)
    second = solve(solver, m, time_limit)
    change_bounds(solver, released)
    # Restore the stage-one model for the fixed LP (its duals are about the deficit).
    m.second_stage.deactivate()
    m.keep_deficit.deactivate()
    m.objective.activate()
    return {"stage_one_deficit": best * MONEY, "lexicographic_tolerance": inst.settings.lexicographic_tolerance,
            "stage_two": "maximize partner payoff at the optimal deficit", "stage_two_status": second.status,
            "stage_two_fixed": len(fixed), "stage_two_time_limit": time_limit}


def polish_solution(solver, m, inst: Instance, time_limit=None, rounds: int = 3) -> dict:
    """Make the reported deal come from exact choices: fix every binary at its rounded value
    and re-solve the continuous levers as LPs: stage one (least deficit), then, when the
    lexicographic stage ran, stage two (the partner's best payoff with the deficit held at
    that LP's optimum; the LP needs no tolerance to stay tractable). After each LP, lever
    amounts below the noise threshold are held at zero and the LP solved again (up to
    `rounds` times; kept when the LP needs them), so that reading the deal, which drops such
    amounts, does not move the deficit. Models up to LARGE_MODEL_VARIABLES columns are always
    polished (two small LPs: a MIP solution may also stretch a row by HiGHS's feasibility
    tolerance, 6e-6 of a vehicle past a ceiling, worth USD 0.24 on a tiny instance, which a
    basic LP solution does not); larger ones only when a binary is off 0/1 or an amount is
    noise (their gap, 1e-5, dwarfs the rest).

    Why: a MIP solution may hold a binary at 1 - 4.5e-7, within HiGHS's integrality
    tolerance, and the continuous levers computed with it reach a deficit the integral choice
    cannot (the default instance's was USD 840 below the optimum); and stage two spends its
    tolerance on amounts like 0.009 of a vehicle, worth USD 280 of deficit once dropped. The
    binaries stay fixed afterwards (the fixed LP's duals fix them anyway). If an LP does not
    end optimal (e.g. `time_limit`), the MIP's values are put back and the reason returned.
    Returns what was done, for results.json's verification block."""
    binaries = [v for v in m.component_data_objects(pyo.Var) if v.is_binary() and v.value is not None]
    off = max((abs(v.value - round(v.value)) for v in binaries), default=0.0)
    zeroed: dict[int, tuple[float, float]] = {}          # column -> its bounds before being held at zero

    def noise() -> dict[int, tuple[float, float]]:
        out = {}
        for f in m.lever_families:
            if f.kind == "quantity":
                for k, v in getattr(m, variable_name(f)).items():
                    j = solver.col_of.get(id(v))
                    if j is not None and j not in zeroed and not v.fixed and v.value \
                            and abs(v.value * m.lever_scale[f.name][k]) < inst.settings.noise_threshold:
                        out[j] = (0.0, 0.0)
        return out

    def lp():
        out = solve(solver, m, time_limit)
        for _ in range(rounds):
            held = noise() if out.status == "optimal" else {}
            if not held:
                break
            old = change_bounds(solver, held)
            again = solve(solver, m, time_limit)
            if again.status != "optimal":               # the LP needs those amounts: keep them
                change_bounds(solver, old)
                return solve(solver, m, time_limit)
            zeroed.update(old)
            out = again
        return out

    if off == 0.0 and not noise() and solver.h.getNumCol() > LARGE_MODEL_VARIABLES:
        return {"applied": False, "reason": "every binary was 0 or 1 and no amount was noise",
                "binaries_off_integer": 0.0}
    before = {id(v): v.value for v in m.component_data_objects(pyo.Var)}
    name, done, reason = m.objective_name, {"binaries_off_integer": off}, ""
    solver.fix_binaries(m)
    try:
        first = lp()
        if first.status != "optimal":
            reason = f"the LP with the choices fixed ended {first.status}"
        else:
            best = pyo.value(m.metric[name])
            done["stage_one_lp"] = best * MONEY
            if hasattr(m, "keep_deficit"):
                limit = best
                if hasattr(m, "polish_keep_deficit"):
                    m.del_component(m.polish_keep_deficit)
                m.polish_keep_deficit = pyo.Constraint(expr=m.metric[name] <= limit)
                m.objective.deactivate()
                m.second_stage.activate()
                second = lp()
                m.second_stage.deactivate()
                m.polish_keep_deficit.deactivate()
                m.objective.activate()
                done["deficit_limit"] = limit * MONEY
                if second.status != "optimal":
                    reason = f"the second-stage LP with the choices fixed ended {second.status}"
    finally:
        change_bounds(solver, zeroed)
    done["amounts_zeroed"] = len(zeroed)
    if reason:
        for v in m.component_data_objects(pyo.Var):
            v.set_value(before[id(v)], skip_validation=True)
        return {**done, "applied": False, "reason": reason}
    return {**done, "applied": True}
