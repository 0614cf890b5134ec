"""One solve, end to end: validated instance -> model -> solution -> verified Results.

`min_deficit` is lexicographic: stage one minimizes the deficit; stage two keeps it
within the stated tolerance of that optimum and maximizes the partner's payoff, so the
deal is Pareto-efficient rather than an arbitrary tie. Shadow prices come from the LP
with the chosen binaries fixed, with the stage-one (deficit) objective.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from model.analyses.deal_terms import lever_rows
from model.analyses.diagnose import diagnose
from model.data.catalogue import ALL_GOODS_METRICS, balance_name, bilateral_balances, lines_words
from model.data.instance import Deal, Instance
from model.data.levers import UNIT_SCALE, families, options_only
from model.economics.checks import VIOLATION_TOLERANCE, Check, constraint_checks, max_violation
from model.economics.metrics import (
    INDEXED_METRICS,
    METRICS,
    References,
    evaluate,
    metric_label,
    metric_unit,
    split_metric,
)
from model.optimization.handle import FixedLp, NegotiationModel, Solution
from model.optimization.highs import coefficient_warning
from model.optimization.objectives import solve_objective
from model.results import (
    Assumption,
    Coefficients,
    ConstraintLabel,
    ConstraintRow,
    Diagnosis,
    InputRow,
    InstanceSummary,
    MetricRow,
    NashInfo,
    Objective,
    Repair,
    Results,
    ShadowPrices,
    SolverInfo,
    SolveStages,
    Verification,
    from_data,
    rounded,
)

SHADOW_PRICE_SOURCE = ("LP with the chosen tariff options and NTB reliefs fixed (the MILP's binaries at their "
                       "optimal values), minimizing the deficit: each dual is the change in the deal deficit per "
                       "unit of the constraint's bound, while those choices stay as they are")


class Timer:
    def __init__(self):
        self.times: dict[str, float] = {}

    def __call__(self, name: str):
        timer = self

        class _Span:
            def __enter__(self):
                self.t0 = time.perf_counter()

            def __exit__(self, *exc):
                timer.times[name] = timer.times.get(name, 0.0) + time.perf_counter() - self.t0
        return _Span()


@dataclass
class Verified:
    """A deal that passed the check outside the solver: what the analyses of a deal start from."""

    solution: Solution
    deal: Deal
    metrics: dict[str, float]
    checks: list[Check]
    lp: FixedLp | None                 # the fixed LP (duals, ranging) when the deal is optimal


def solve_model(model: NegotiationModel, objective: str | None = None, time_limit: float | None = None,
                export_lp: str | Path | None = None) -> tuple[Results, Verified | None]:
    """Solve the command's model for `objective` (default: the instance's) and verify the deal:
    the results' core (status, levers, metrics, constraints with their duals, verification, how
    it was solved) and the verified deal the analyses start from (None without a deal)."""
    inst = model.inst
    timer = Timer()
    timer.times["build"] = model.build_seconds + model.load_seconds
    objective = objective or inst.settings.objective
    if objective == "weighted" and not inst.settings.objective_weights:
        from model.errors import InstanceError
        raise InstanceError(inst.file, "settings.objective_weights", "the 'weighted' objective needs metric weights",
                            hint="e.g. objective_weights: {deficit: -1, partner_payoff: 0.5}")
    time_limit = time_limit or inst.settings.time_limit
    table, refs = model.table, model.refs
    if export_lp:
        model.write_lp(export_lp)
    with timer("solve"):
        solution = solve_objective(model, objective, time_limit)
    timer.times.update({f"solve_{k[:-len('_seconds')]}": v for k, v in solution.stages.items() if k.endswith("_seconds")})
    stages = solve_stages(model, objective, solution)
    info = SolverInfo(**model.solver_info(), mip_gap=solution.mip_gap)
    if solution.status == "unbounded":
        solution.message = unbounded_explanation(inst)
    elif solution.status == "time_limit" and not solution.has_deal:
        solution.message = "the time limit was reached before any deal was found"
    elif solution.status == "time_limit":
        solution.message = f"time limit reached: the best deal found, within {solution.mip_gap:.2%} of optimal" \
            if solution.mip_gap is not None else "time limit reached: the best deal found so far"
    if solution.deal is None:                # (has_deal)
        return _no_deal_results(model, solution, info, stages, timer), None
    with timer("verify"):
        deal, binaries = solution.deal, solution.binaries      # amounts below the noise threshold read as zero
        metrics = evaluate(inst, deal, table)
        checks = constraint_checks(inst, deal, metrics, refs, binaries)
        if max_violation(checks) > VIOLATION_TOLERANCE and inst.settings.noise_threshold > 0:
            # Zeroing the noise broke a constraint: report the solver's amounts as they are.
            deal, binaries = model.read(solution.column_values(), threshold=0.0)
            metrics = evaluate(inst, deal, table)
            checks = constraint_checks(inst, deal, metrics, refs, binaries)
            if max_violation(checks) <= VIOLATION_TOLERANCE:
                stages.noise = "amounts below the noise threshold were kept: zeroing them broke a constraint"
        worst = max(checks, key=lambda c: c.relative_violation)
        violation = max_violation(checks)
    if violation > VIOLATION_TOLERANCE:      # a solution that fails the check is not a deal: report none
        solution.status = "error"
        solution.message = (f"the solver's solution violates '{worst.label}' ({worst.name}) by {violation:.2e} "
                            "relative; it is not reported as a deal")
        results = _no_deal_results(model, solution, info, stages, timer)
        results.verification = Verification(violation, False, VIOLATION_TOLERANCE, worst.name, len(checks),
                                            _repair(stages))
        return results, None
    with timer("duals"):
        lp = model.fixed_lp(solution) if solution.status == "optimal" else None
    obj_name = stages.objective_metric or inst.settings.objective_metric
    results = Results(
        instance=instance_summary(inst), status=solution.status, message=solution.message,
        objective=Objective(objective, obj_name, metrics.get(obj_name, stages.objective_value),
                            "USD" if obj_name in metrics else stages.objective_unit,
                            "minimize" if objective == "min_deficit" else "maximize"),
        metrics=metric_rows(inst, refs, metrics),
        levers=lever_rows(inst, deal),
        constraints=constraint_rows(checks, lp.duals if lp else {}),
        verification=Verification(violation, violation <= VIOLATION_TOLERANCE, VIOLATION_TOLERANCE, worst.name,
                                  len(checks), _repair(stages)),
        solver=info,
        shadow_prices=ShadowPrices(SHADOW_PRICE_SOURCE, lp.status if lp else "not computed",
                                   "USD of deficit per unit of the constraint's bound"),
        assumptions=assumption_rows(inst), inputs=input_rows(inst), stages=stages, warnings=warnings(inst, stages))
    results.timings = timer.times
    return results, Verified(solution, deal, metrics, checks, lp)


def solve_stages(model: NegotiationModel, objective: str, solution) -> SolveStages:
    """How the deal was solved, from the handle's account of its stages (timings kept apart)."""
    inst, raw = model.inst, solution.stages
    stages = SolveStages(objective=objective, coefficients=from_data(Coefficients, model.coefficients),
                         stage_two_status=raw.get("stage_two_status"),
                         stage_two_time_limit=raw.get("stage_two_time_limit"),
                         stage_two_fixed=raw.get("stage_two_fixed", 0), repair=raw.get("repair", ""),
                         integrality_error=raw.get("integrality_error"),
                         objective_metric=raw.get("objective_metric"), objective_value=raw.get("objective_value"),
                         objective_unit=raw.get("objective_unit", ""), weights=dict(raw.get("weights", {})),
                         nash=from_data(NashInfo, raw["nash"]) if raw.get("nash") else None)
    if objective == "min_deficit" and solution.has_deal:
        stages.stage_one_deficit = raw.get("stage_one_value", 0.0) * model.scale(model.objective_metric)
        stages.lexicographic_tolerance = inst.settings.lexicographic_tolerance
        stages.stage_two = f"maximize partner {_measure_word(inst)} at the optimal deficit"
    elif objective == "welfare" and solution.has_deal:
        stages.lexicographic_tolerance = inst.settings.lexicographic_tolerance
        stages.stage_two = f"maximize partner {_measure_word(inst)} at the greatest home welfare"
    return stages


def _measure_word(inst: Instance) -> str:
    return inst.settings.participation_measure.get("partner", "payoff")


def _repair(stages: SolveStages) -> Repair:
    """How the solver's solution was repaired before it was verified (`handle._polish`)."""
    return Repair(stages.repair or "nothing to repair: the choices were exact and no amount was noise",
                  stages.integrality_error)


def _no_deal_results(model: NegotiationModel, solution, info: SolverInfo, stages: SolveStages, timer) -> Results:
    inst, refs = model.inst, model.refs
    results = Results(
        instance=instance_summary(inst), status=solution.status, message=solution.message,
        objective=Objective(stages.objective, "home_welfare" if stages.objective == "welfare"
                            else inst.settings.objective_metric, None, "USD",
                            "minimize" if stages.objective == "min_deficit" else "maximize"),
        metrics=metric_rows(inst, refs, None), levers=[], constraints=[],
        verification=Verification(None, None, VIOLATION_TOLERANCE, None, 0),
        solver=info, shadow_prices=ShadowPrices(SHADOW_PRICE_SOURCE, "not computed", ""),
        assumptions=assumption_rows(inst), inputs=input_rows(inst), stages=stages, warnings=warnings(inst, stages))
    results.timings = timer.times
    return results


def diagnose_with_labels(model: NegotiationModel, steps: dict[str, float] | None = None) -> Diagnosis:
    """The no-deal diagnosis, with every constraint's label (the report names relaxations by them)."""
    inst, refs = model.inst, model.refs
    diagnosis = diagnose(model, steps=steps)
    diagnosis.labels = [ConstraintLabel(c.name, c.label) for c in constraint_checks(
        inst, options_only(inst.no_deal), refs.baseline, refs)]
    return diagnosis


def warnings(inst: Instance, stages: SolveStages) -> list[str]:
    """Warnings a reader must see beside the result: a badly scaled model, purchases counted
    as fully additional because the instance does not say, noise the deal could not drop."""
    out = [coefficient_warning(model_coefficients(stages)), stages.noise]
    unstated = [g.label for g in inst.goods.values() if not g.additional_stated]
    if unstated:
        out.append("purchases of " + ", ".join(unstated) + " are counted as wholly additional (the instance "
                   "does not state their 'additional_share'), so all of their value lowers the deficit")
    return [w for w in out if w]


def model_coefficients(stages: SolveStages) -> dict:
    c = stages.coefficients
    return {} if c is None else rounded(c)


def unbounded_explanation(inst: Instance) -> str:
    """Name the levers without an upper bound, in the instance's words: those that nothing
    else limits (`LeverFamily.limited_by`) make the objective unbounded."""
    unlimited = [(f, key) for f in families() if f.kind == "quantity"
                 for key in f.keys(inst) if f.upper(inst, key) == float("inf")]
    free = [f"{f.label(inst, key)} ({f.limit_field(key)}: unlimited)" for f, key in unlimited if not f.limited_by]
    limited = [f"{f.label(inst, key)} ({f.limit_field(key)}: unlimited, still limited by {f.limited_by})"
               for f, key in unlimited if f.limited_by]
    if not free:
        return "the objective can improve without limit; " + (
            "levers without an upper bound: " + "; ".join(limited) if limited else "no lever is unbounded by itself")
    return ("the deficit can fall without limit because these levers have no upper bound: " + "; ".join(free)
            + ". Give each a limit (a number instead of 'unlimited').")


def instance_summary(inst: Instance) -> InstanceSummary:
    return InstanceSummary(inst.name, inst.title, inst.question, Path(inst.file).name, dict(inst.parties),
                           inst.content_hash, inst.settings.response, inst.settings.participation,
                           {p: inst.settings.participation_measure.get(p, "payoff") for p in ("home", "partner")},
                           {m: balance_name(inst, m) for m in bilateral_balances(inst)},
                           {c: country.exports_given for c, country in inst.third_countries.items()},
                           lines_words(inst))


def metric_names(inst: Instance, baseline: dict) -> list[str]:
    """The metrics a result reports: every catalogued one (the all-goods balances only when the
    instance states `all_goods`), then each indexed metric per index the references hold."""
    return [k for k in METRICS if k not in ALL_GOODS_METRICS or inst.all_goods is not None] \
        + [k for k in baseline if split_metric(k)[1] is not None and split_metric(k)[0] in INDEXED_METRICS]


def metric_rows(inst: Instance, refs: References, deal: dict | None) -> list[MetricRow]:
    rows = []
    for k in metric_names(inst, refs.baseline):
        base, index = split_metric(k)
        rows.append(MetricRow(k, metric_label(inst, k), metric_unit(inst, k), refs.baseline[k], refs.no_deal[k],
                              None if deal is None else deal[k]))
    return rows


DUAL_ZERO = 1e-9                 # USD per unit: a dual this small is solver noise
SLACK_TOLERANCE = 1e-6           # relative to the row's scale (its size, or its unit in the model)


def is_binding(check: Check, dual: float | None) -> bool:
    """The solver's own evidence: a non-zero dual, or a slack within SLACK_TOLERANCE of the
    row's scale, the larger of its terms' size and its model unit (USD 1 million for a
    money row, 1,000 vehicles for a vehicle row): a USD red line 0.001 USD from its bound
    binds, whatever the absolute size of its bound."""
    if check.sense == "==" or (dual is not None and abs(dual) > DUAL_ZERO):
        return True
    scale = max(check.scale, UNIT_SCALE.get(check.unit, 1.0))
    return abs(check.slack) <= SLACK_TOLERANCE * scale


def constraint_rows(checks: list[Check], duals: dict[str, float]) -> list[ConstraintRow]:
    rows = []
    for c in checks:
        dual = duals.get(c.name)
        relax = None
        if dual is not None:
            # Relaxing '<=' raises the bound; relaxing '>=' lowers it. Minimizing: gain = -d(obj).
            relax = -dual if c.sense == "<=" else dual
            relax = 0.0 if abs(relax) < DUAL_ZERO else relax
        rows.append(ConstraintRow(c.name, c.label, c.party, c.kind, c.lhs, c.sense, c.rhs, c.unit, c.slack,
                                  is_binding(c, dual), dual, relax))
    return rows


def assumption_rows(inst: Instance) -> list[Assumption]:
    return [Assumption(i.path, i.value, i.unit, i.source, inst.sources[i.source].text)
            for i in inst.inputs if i.source in inst.sources and inst.sources[i.source].kind == "assumption"]


def input_rows(inst: Instance) -> list[InputRow]:
    out = []
    for i in inst.inputs:
        src = inst.sources.get(i.source)
        out.append(InputRow(i.path, i.value, i.unit, i.source, src.kind if src else "unknown",
                            src.text if src else "", src.year if src else None))
    return out
