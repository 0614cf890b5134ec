"""One solve of an instance with a horizon: the multi-year model, each year verified, `Results.over_time`.

The standard sections of `Results` describe the LAST year of the horizon (the deal fully phased
in), from that year's instance; `Results.over_time` holds every year (metrics with and without
the deal, each party's gain over no deal, the levers), the sums over the years (present values
for money, totals for volumes) and the schedules. The verification outside the solver checks
every year's deal with the one-year checks on that year's instance (`economics.checks`), and
restates the rows that tie the years: participation in present value, red lines over the
horizon, and each scheduled lever following one path of its menu.
"""
from __future__ import annotations

from model.analyses.deal_terms import lever_rows
from model.data.catalogue import METRICS, metric_label, metric_unit
from model.data.families.base import Check
from model.economics.checks import VIOLATION_TOLERANCE, constraint_checks, max_violation
from model.economics.metrics import evaluate
from model.economics.outcomes import chosen_outcomes
from model.economics.shifts import quota_summary
from model.errors import InstanceError
from model.optimization.horizon import HorizonModel, horizon_bound, summed
from model.results import LeverRow, OverTime, Results, Schedule, Verification, YearLever, YearQuota, YearValues
from model.run.solve import Verified, constraint_rows, instance_summary, metric_names, solve_model

__all__ = ["HORIZON_SKIPPED", "horizon_checks", "solve_horizon"]

HORIZON_SKIPPED = ("over a horizon, the frontier, the concession values, the red-line costs, the review of red "
                   "lines, the ranging, the assumptions' ranking and (without a deal) the smallest relaxation are not "
                   "computed yet (they are one-year analyses); solve a one-year instance of the year for them")
OBJECTIVES = ("min_deficit", "welfare", "weighted")


def solve_horizon(model: HorizonModel, objective: str | None = None, time_limit: float | None = None,
                  export_lp=None) -> tuple[Results, Verified | None]:
    """Solve the multi-year model and verify every year; the last year's sections and `over_time`."""
    base = model.base
    objective = objective or base.settings.objective
    if objective not in OBJECTIVES:
        raise InstanceError(base.file, "settings.objective", f"the '{objective}' objective is not built over a "
                            "horizon yet", hint="use " + ", ".join(OBJECTIVES) + ", or remove 'horizon:'")
    results, verified = solve_model(model, objective, time_limit, export_lp)
    first, last = model.years[0], model.years[-1]
    results.instance = instance_summary(base)
    grown = " (with its market grown: the calibration year's figures there are its tariffs on that market)" \
        if model.horizon.growth or model.horizon.third_growth else ""
    results.warnings = [f"A deal over {first}-{last}: the deal's sections describe {last}, the last year (the deal "
                        f"fully phased in){grown}; every year, the present values and the schedules are under 'over "
                        "time'.",
                        HORIZON_SKIPPED[0].upper() + HORIZON_SKIPPED[1:] + "."] + results.warnings
    if verified is None:
        results.over_time = over_time(model, None)
        return results, None
    x = verified.solution.column_values()
    years = {}
    checks: list[Check] = []
    for t in model.years:
        inst, table, refs = model.year_insts[t], model.tables[t], model.year_refs[t]
        deal, binaries = model.read_year(x, t)
        metrics = evaluate(inst, deal, table)
        year_checks = constraint_checks(inst, deal, metrics, refs, binaries)
        if max_violation(year_checks) > VIOLATION_TOLERANCE and inst.settings.noise_threshold > 0:
            # As for one year (`run.solve`): zeroing the noise broke a row, so the solver's amounts stand.
            deal, binaries = model.read_year(x, t, threshold=0.0)
            metrics = evaluate(inst, deal, table)
            year_checks = constraint_checks(inst, deal, metrics, refs, binaries)
        checks += [_in_year(c, t) for c in year_checks]
        years[t] = (deal, metrics)
    paths = model.chosen_paths(x)
    tying = horizon_checks(model, {t: m for t, (_, m) in years.items()}, {t: d for t, (d, _) in years.items()}, paths)
    checks += tying
    violation = max_violation(checks)
    worst = max(checks, key=lambda c: c.relative_violation)
    results.verification = Verification(violation, violation <= VIOLATION_TOLERANCE, VIOLATION_TOLERANCE, worst.name,
                                        len(checks), results.verification.repair)
    if violation > VIOLATION_TOLERANCE:
        results.status = "error"
        results.message = (f"the solver's solution violates '{worst.label}' ({worst.name}) by {violation:.2e} "
                           "relative; it is not reported as a deal")
        results.levers, results.constraints = [], []
        results.over_time = over_time(model, None)
        return results, None
    # The rows that tie the years join the last year's constraints, with their duals in the fixed LP (USD of
    # the objective's present value per unit of the bound).
    results.constraints += constraint_rows([c for c in tying if c.kind != "schedule"],
                                           verified.lp.duals if verified.lp is not None else {})
    results.over_time = over_time(model, years, paths)
    k = results.objective.metric
    if k in METRICS:          # what was optimized: the metric's present value (or its last year's value)
        values = [years[t][1][k] for t in model.years]
        results.objective.value = values[-1] if model.horizon.objective == "last_year" else \
            _sum(values, model.factors, "present value")
    results.over_time.objective_metric = k
    results.over_time.objective_value = results.objective.value
    return results, verified


def _in_year(c: Check, year: int) -> Check:
    return Check(f"y{year}:{c.name}", f"{c.label} ({year})", c.party, c.kind, c.lhs, c.sense, c.rhs, c.unit)


def horizon_checks(model: HorizonModel, metrics: dict[int, dict[str, float]], deals: dict, paths: dict[str, str]
                   ) -> list[Check]:
    """The rows that tie the years, restated from the data (not the solver's rows): participation in
    present value, red lines over the horizon, and each scheduled lever on its path in every year."""
    base, hz = model.base, model.horizon
    out = []
    d = dict(zip(model.years, model.factors))
    if base.settings.participation:
        for p in ("home", "partner"):
            k = base.settings.measure(p)
            lhs = sum(d[t] * metrics[t][k] for t in model.years)
            rhs = sum(d[t] * model.year_refs[t].no_deal[k] for t in model.years)
            out.append(Check(f"horizon_participation[{p}]", f"{base.parties[p]} at least as well off as with no "
                             "deal, in present value", p, "participation", lhs, ">=", rhs, "USD"))
    for r in base.red_lines:
        if r.over == "horizon":
            lhs = sum(metrics[t][r.metric] for t in model.years)
            rhs = horizon_bound(r, [model.year_refs[t] for t in model.years])
            out.append(Check(f"horizon_red_line[{r.name}]", f"{r.label} (over {hz.first_year}-{hz.last_year})",
                             r.party, "red_line", lhs, r.sense, rhs, metric_unit(base, r.metric)))
    for s in hz.schedules:
        path = paths.get(s.name)
        level = None
        if path is not None and path in s.scaled:      # the level: the amount where the shape is at its top (1)
            top = s.paths[path].index(max(s.paths[path]))
            level = float(deals[model.years[top]].values(s.deal_field).get(s.key) or 0.0)
        for i, t in enumerate(model.years):
            want = s.paths[path][i] if path is not None else None
            if level is not None and want is not None:
                want = want * level
            got = deals[t].values(s.deal_field).get(s.key)
            if isinstance(want, float) or (want is None and isinstance(got, float)):
                lhs, rhs = float(got or 0.0), float(want or 0.0)
            else:
                lhs, rhs = (0.0, 0.0) if got == want else (1.0, 0.0)
            out.append(Check(f"schedule[{s.name},{t}]", f"{s.label} follows path '{path}' in {t}", None, "schedule",
                             lhs, "==", rhs, ""))
        if level is not None:
            f = model.by_field[s.deal_field]
            first = model.year_insts[model.years[0]]
            out.append(Check(f"schedule_level[{s.name}]", f"{s.label}: the level of path '{path}' within the lever's "
                             "own limit", None, "schedule", level, "<=", f.upper(first, s.key), f.unit(first, s.key)))
    return out


def over_time(model: HorizonModel, years: dict | None, paths: dict[str, str] | None = None) -> OverTime:
    """Every year's metrics and levers, each party's gain, the sums and the schedules."""
    base, hz = model.base, model.horizon
    factors = model.factors
    last = model.year_refs[model.years[-1]].baseline
    names = metric_names(base, last)
    participation = "none" if not base.settings.participation else hz.participation
    metrics = []
    for k in names:
        unit = metric_unit(base, k)
        how = summed(unit)
        no_deal = [model.year_refs[t].no_deal[k] for t in model.years]
        deal = [years[t][1][k] for t in model.years] if years else None
        metrics.append(YearValues(k, metric_label(base, k), unit, how, no_deal, deal,
                                  _sum(no_deal, factors, how), _sum(deal, factors, how) if deal else None,
                                  [model.year_refs[t].baseline[k] for t in model.years]))
    gains = []
    for p in ("home", "partner"):
        k = base.settings.measure(p)
        if years:
            g = [years[t][1][k] - model.year_refs[t].no_deal[k] for t in model.years]
            gains.append(YearValues(p, f"{base.parties[p]}: gain over no deal ({k.split('_')[-1]})", "USD",
                                    "present value", [0.0] * len(g), g, 0.0, _sum(g, factors, "present value")))
        else:
            gains.append(YearValues(p, f"{base.parties[p]}: gain over no deal ({k.split('_')[-1]})", "USD",
                                    "present value", [0.0] * len(model.years), None, 0.0, None))
    levers = []
    schedules = []
    quotas = []
    if years:
        for t in model.years:
            inst, deal = model.year_insts[t], years[t][0]
            quotas += [YearQuota(t, row) for row in quota_summary(inst, deal, chosen_outcomes(inst, deal, model.tables[t]))]
        by_year = {t: lever_rows(model.year_insts[t], years[t][0]) for t in model.years}
        for t, rows in by_year.items():
            levers += [YearLever(t, r.name, r.party, r.index, r.label, r.value, r.unit, r.choice, r.fixed)
                       for r in rows]
        for s in hz.schedules:
            f = model.by_field[s.deal_field]
            index = f.key_text(s.key)
            found: list[LeverRow | None] = [next((r for r in by_year[t] if r.name == f.name and r.index == index), None)
                                            for t in model.years]
            path = (paths or {}).get(s.name) or s.fixed or ""
            level = None
            if path in s.scaled:
                top = s.paths[path].index(max(s.paths[path]))
                row = found[top]
                level = row.value if row is not None else 0.0
            schedules.append(Schedule(s.lever, s.label, path, s.fixed is not None,
                                      next((r.unit for r in found if r is not None), ""),
                                      [r.value if r is not None else 0.0 for r in found],
                                      [r.choice if r is not None else None for r in found], list(s.paths),
                                      name=s.name, path_label=s.path_labels.get(path, path), level=level))
    return OverTime(hz.first_year, hz.last_year, model.years, hz.discount_rate, hz.discount_source, factors,
                    hz.objective, participation, metrics, gains, levers, schedules, sections_year=hz.last_year,
                    quotas=quotas)


def _sum(values: list[float], factors: list[float], how: str) -> float | None:
    if how == "present value":
        return sum(d * v for d, v in zip(factors, values))
    if how == "total":
        return sum(values)
    return None
