"""HiGHS through Pyomo: solve, read the solution back in base units, and get duals.

Statuses are the five words users see: optimal, infeasible, unbounded, time_limit, error.
Shadow prices of a MILP come from the LP with every binary fixed at its optimal value
(the 'fixed LP'); they say what relaxing a constraint is worth while the chosen tariff
options and NTB reliefs stay as they are.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

from model.data.instance import Deal, Instance
from model.errors import SolverUnavailable
from model.optimization.build import read_deal

MIP_REL_GAP = 1e-9        # the default instance is small: solve to proven optimality
MIP_ABS_GAP = 1e-7        # in USD million
# Above this many variables HiGHS runs its light presolve (presolve_mode 2): the full MIP presolve
# (probing) grows about quadratically with the dense red-line and participation rows (104 s of a
# 116 s solve at 10^5 variables, for the same optimum), see benchmarks/bench_scale.py.
LARGE_MODEL_VARIABLES = 20_000


def solver_options(m) -> dict:
    """HiGHS options for `m`: a fixed seed; light presolve for large models."""
    options = {"random_seed": 0}
    if sum(len(v) for v in m.component_objects(pyo.Var)) > LARGE_MODEL_VARIABLES:
        options["presolve_mode"] = 2
    return options


@dataclass
class SolveOutcome:
    status: str                                  # optimal, infeasible, unbounded, time_limit, error
    objective: float | None = None               # in model units (objective_scale converts)
    bound: float | None = None
    mip_gap: float | None = None
    message: str = ""
    has_solution: bool = False


def make_solver():
    """A persistent HiGHS interface, or SolverUnavailable with a clear reason."""
    try:
        from pyomo.contrib.solver.solvers.highs import Highs
        # Fixed variables stay columns with equal bounds: fixing the binaries for the fixed LP is then a
        # bound change, not a removal and re-adding of every row they appear in (quadratic in Pyomo 6.10).
        solver = Highs(treat_fixed_vars_as_params=False)
        if not solver.available():
            raise SolverUnavailable("HiGHS is not available: install the 'highspy' package (pip install highspy)")
        return solver
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise SolverUnavailable(f"HiGHS cannot be loaded ({exc}): install the 'highspy' package") from None


def solver_version(solver) -> str:
    return ".".join(str(v) for v in solver.version())


# Pyomo's HiGHS interface captures the process's stdout/stderr file descriptors around
# each load and solve, which is not safe when two threads do it at once (a Dask worker
# with several threads). Sweeps hold this lock around Pyomo solver calls; draws re-solved
# through highspy directly do not need it.
PYOMO_SOLVER_LOCK = threading.RLock()


def warm_start(solver) -> None:
    """Hand HiGHS its current solution as the incumbent of the next solve. Used before the
    lexicographic stage: stage one's optimum is feasible there, so the branch and bound
    starts with a solution instead of searching for one. Syncs the Pyomo model first, as
    HiGHS drops its solution when rows or costs change."""
    import highspy
    h = solver._solver_model
    x = list(h.getSolution().col_value)
    solver.update()
    if len(x) != h.getNumCol():
        return
    start = highspy.HighsSolution()
    start.col_value = x
    start.value_valid = True
    h.setSolution(start)


# The model is scaled so that its coefficients sit near 1 (thousand vehicles, USD million,
# each good's own scale); entries outside this band mean an input in an unexpected unit.
COEFFICIENT_BAND = (1e-7, 1e7)


def coefficient_range(solver, m) -> dict:
    """Load `m` into HiGHS and report the range of its coefficients (constraint matrix and
    objective), naming the smallest and largest entries by row and variable; `ok` is False
    outside COEFFICIENT_BAND, where HiGHS's absolute tolerances stop being reliable."""
    import highspy
    import numpy as np
    solver.set_instance(m)
    lp = solver._solver_model.getLp()
    mat = lp.a_matrix_
    index, start = np.asarray(mat.index_, dtype=np.int64), np.asarray(mat.start_, dtype=np.int64)
    outer = np.repeat(np.arange(len(start) - 1), np.diff(start))
    rows, cols = (index, outer) if mat.format_ == highspy.MatrixFormat.kColwise else (outer, index)
    cost = np.asarray(lp.col_cost_, dtype=float)
    values = np.abs(np.concatenate([np.asarray(mat.value_, dtype=float), cost]))
    rows = np.concatenate([rows, np.full(cost.size, -1)])          # -1: the objective
    cols = np.concatenate([cols, np.arange(cost.size)])
    nonzero = np.flatnonzero(values > 0)
    if not nonzero.size:
        return {"min": None, "max": None, "ok": True}
    row_name = {r: con.name for con, r in solver._pyomo_con_to_solver_con_map.items()}
    row_name[-1] = "the objective"
    col_name = {j: v.name for v in m.component_data_objects(pyo.Var)
                if (j := solver._pyomo_var_to_solver_var_map.get(id(v))) is not None}
    lo, hi = nonzero[values[nonzero].argmin()], nonzero[values[nonzero].argmax()]

    def where(k):
        return {"row": row_name.get(int(rows[k]), str(rows[k])), "variable": col_name.get(int(cols[k]), str(cols[k])),
                "value": float(values[k])}
    out = {"min": float(values[lo]), "max": float(values[hi]), "smallest": where(lo), "largest": where(hi)}
    out["ok"] = COEFFICIENT_BAND[0] <= out["min"] and out["max"] <= COEFFICIENT_BAND[1]
    return out


def coefficient_warning(info: dict) -> str:
    """A sentence naming the offending entries, or '' when the range is fine."""
    if info.get("ok", True):
        return ""
    parts = []
    for key, word in (("smallest", "tiny"), ("largest", "huge")):
        e = info[key]
        if (word == "tiny" and e["value"] < COEFFICIENT_BAND[0]) or (word == "huge" and e["value"] > COEFFICIENT_BAND[1]):
            parts.append(f"a {word} coefficient {e['value']:.1e} of {e['variable']} in {e['row']}")
    return ("numerically risky model: " + "; ".join(parts) + ". Check the unit of the inputs behind these "
            "(e.g. a price per Btu where per MMBtu was meant); the result was verified, but HiGHS's tolerances "
            "are absolute")


def solve(solver, m, time_limit: float | None = None) -> SolveOutcome:
    """Solve `m` as it stands; load the solution if there is one."""
    kwargs = dict(load_solutions=False, raise_exception_on_nonoptimal_result=False,
                  rel_gap=MIP_REL_GAP, abs_gap=MIP_ABS_GAP, threads=1,
                  solver_options=solver_options(m))
    if time_limit:
        kwargs["time_limit"] = time_limit
    try:
        res = solver.solve(m, **kwargs)
    except Exception as exc:  # HiGHS crashed or rejected the model
        return SolveOutcome("error", message=f"{type(exc).__name__}: {exc}")
    tc = res.termination_condition
    has_solution = res.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    if has_solution:
        res.solution_loader.load_vars()
    obj, bound = res.incumbent_objective, res.objective_bound
    gap = None
    if obj is not None and bound is not None and math.isfinite(bound):
        gap = abs(obj - bound) / max(1e-10, abs(obj))
    if tc == TerminationCondition.convergenceCriteriaSatisfied and has_solution:
        return SolveOutcome("optimal", obj, bound, gap or 0.0, has_solution=True)
    if tc == TerminationCondition.maxTimeLimit:
        return SolveOutcome("time_limit", obj, bound, gap, "time limit reached", has_solution)
    if tc in (TerminationCondition.provenInfeasible, TerminationCondition.locallyInfeasible):
        return SolveOutcome("infeasible", message="no deal satisfies every constraint")
    if tc == TerminationCondition.unbounded:
        return SolveOutcome("unbounded", message="the objective can improve without limit")
    if tc == TerminationCondition.infeasibleOrUnbounded:
        return _infeasible_or_unbounded(solver, m)
    return SolveOutcome("error", message=f"HiGHS stopped: {tc.name}")


def _infeasible_or_unbounded(solver, m) -> SolveOutcome:
    """HiGHS's presolve may not tell the two apart: re-solve for feasibility alone."""
    active = [o for o in m.component_data_objects(pyo.Objective, active=True)]
    for o in active:
        o.deactivate()
    m._feasibility = pyo.Objective(expr=0.0)
    res = solver.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    m.del_component(m._feasibility)
    for o in active:
        o.activate()
    if res.termination_condition == TerminationCondition.convergenceCriteriaSatisfied:
        return SolveOutcome("unbounded", message="the objective can improve without limit")
    return SolveOutcome("infeasible", message="no deal satisfies every constraint")


def extract_deal(m, inst: Instance, threshold: float | None = None) -> tuple[Deal, dict[str, dict]]:
    """The deal in base units, and each binary family's raw values (for the integrality check);
    amounts below the noise threshold read as zero (see `build.read_deal`)."""
    return read_deal(inst, m.lever_families,
                     lambda name: {k: float(pyo.value(x)) for k, x in getattr(m, name).items()}, threshold)


@dataclass
class FixedLp:
    """Duals and ranging of the LP with the chosen binaries fixed."""

    status: str
    duals: dict[str, float]            # constraint name -> d(objective)/d(rhs), base units
    ranging: object | None = None      # raw highspy ranging, for `explain`


def fixed_lp_duals(solver, m) -> FixedLp:
    """Fix every binary at its value, relax integrality, re-solve, read the duals.

    Duals are in base units: objective units (USD) per unit of the constraint's
    right-hand side (vehicles, USD, fraction or the good's unit).
    """
    binaries = [v for v in m.component_data_objects(pyo.Var) if v.is_binary()]
    for v in binaries:
        value = round(pyo.value(v))
        v.domain = pyo.Reals
        v.fix(value)
    res = solver.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    if res.termination_condition != TerminationCondition.convergenceCriteriaSatisfied:
        return FixedLp(res.termination_condition.name, {})
    res.solution_loader.load_vars()
    raw = res.solution_loader.get_duals()
    duals = {}
    for name, con in m.row_info.items():
        if con in raw:
            duals[name] = raw[con] * m.objective_scale / m.row_scale[name]
    ranging = None
    try:
        ranging = solver._solver_model.getRanging()
    except Exception:  # ranging is an extra; its absence must not fail a solve
        ranging = None
    return FixedLp("optimal", duals, ranging)
