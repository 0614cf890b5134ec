"""HiGHS for the negotiation model: the model passed in one call, runs, statuses in words, options.

Pyomo is the modelling layer; HiGHS gets the model as arrays. `HighsSolver.load` walks every row
once with Pyomo's linear-expression walker (`pyomo.repn.linear`, the one Pyomo's LP writer and
standard-form compiler use), collects row-wise arrays and hands them to highspy's `passModel` in
one call, instead of adding rows one by one through Pyomo's persistent interface (about three
minutes at 10^6 variables, against seconds). Pyomo's standard-form compiler does the same walk
and is as fast, but builds scipy matrices: importing scipy costs 0.5 s, as long as the whole solve
of the default instance. The load keeps both maps (Pyomo variable -> HiGHS column, constraint ->
row); after it, the model handle (`handle.NegotiationModel`) changes HiGHS's copy directly
(bounds, rows, columns, costs) and never goes back to Pyomo.

Statuses are the five words users see: optimal, infeasible, unbounded, time_limit, error.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.repn.linear import LinearRepnVisitor
from pyomo.repn.util import VarRecorder

from model.errors import SolverUnavailable

MIP_REL_GAP = 1e-9        # models up to LARGE_MODEL_VARIABLES: proven optimal to rounding
MIP_ABS_GAP = 1e-7        # in USD million
# Above this many variables HiGHS runs its light presolve (presolve_mode 2): the full MIP presolve
# (probing) grows about quadratically with the dense red-line and participation rows (104 s of a
# 116 s solve at 10^5 variables, for the same optimum), see benchmarks/bench_scale.py.
LARGE_MODEL_VARIABLES = 20_000
# Large models stop at a relative gap of 1e-5 (USD 370,000 on a USD 37 bn deficit), ten times
# tighter than HiGHS's default and below the precision of any input (six significant figures at
# best). Closing the last 1e-6 of the generated 10^6-variable instance's root gap did not finish in
# 10 minutes; at 10^5 variables it is half of the second stage (docs/performance.md).
LARGE_MIP_REL_GAP = 1e-5
# Above this many variables the MIP's root LP is solved by interior point (then crossover):
# dual simplex needs about three pivots per tariff line and each pivot touches the dense coupling
# rows (red lines, participation), so it had not finished the 10^6 root LP in 10 minutes, where
# interior point takes about 100 s. At 10^5 variables interior point makes the second stage's
# root (27,000 simplex pivots) 2 s faster and the first 0.5 s slower; at 10^4 simplex is faster.
ROOT_IPM_VARIABLES = 50_000
# How far from 0 or 1 HiGHS may leave a binary. Its default (1e-6) left the default instance's
# binaries 4.5e-7 off in most solves, which moves a deficit by hundreds of dollars through a tariff
# option's import value: small models ask for 1e-8 (then HiGHS returns exact 0/1 there, at the same
# speed), and every solution is repaired anyway when a choice is off (`handle._polish`).
MIP_FEASIBILITY = 1e-8
MIP_FEASIBILITY_LARGE = 1e-6


def highs_options(columns: int, time_limit: float | None = None) -> dict:
    """The HiGHS options of every solve of a model with `columns` columns: gaps, one thread, a
    fixed seed, and for large models light presolve, a looser gap and an interior-point root.
    The benchmarks give raw highspy and linopy these same options."""
    large = columns > LARGE_MODEL_VARIABLES
    return {"mip_rel_gap": LARGE_MIP_REL_GAP if large else MIP_REL_GAP, "mip_abs_gap": MIP_ABS_GAP,
            "mip_feasibility_tolerance": MIP_FEASIBILITY_LARGE if large else MIP_FEASIBILITY,
            "threads": 1, "random_seed": 0, "time_limit": float(time_limit) if time_limit else math.inf,
            "presolve_mode": 2 if large else 0, "presolve": "choose", "simplex_strategy": 1,
            "mip_lp_solver": "ipm" if columns > ROOT_IPM_VARIABLES else "choose"}


@dataclass
class SolveOutcome:
    """One run of HiGHS: its status in words and, when it found one, the solution."""

    status: str                                  # optimal, infeasible, unbounded, time_limit, error
    objective: float | None = None               # in model units
    bound: float | None = None
    mip_gap: float | None = None
    message: str = ""
    has_solution: bool = False
    x: np.ndarray | None = None                  # column values


_BANNER_LOCK = threading.Lock()
_banner_shown = False


def _new_highs():
    """A silent highspy.Highs. The first one in a process prints HiGHS's banner on the
    process's stdout (file descriptor 1): that one is made with the descriptor captured."""
    global _banner_shown
    highspy = load_highspy()
    with _BANNER_LOCK:
        if _banner_shown:
            h = highspy.Highs()
        else:
            from pyomo.common.tee import capture_output
            with capture_output(capture_fd=True):
                h = highspy.Highs()
            _banner_shown = True
    h.setOptionValue("output_flag", False)
    return h


def load_highspy():
    """The highspy module, or SolverUnavailable (exit 6) if it cannot be loaded for any reason:
    missing, a library it needs that cannot be opened (an OSError), a broken build."""
    try:
        import highspy
    except MemoryError:
        raise
    except Exception as exc:  # ImportError, OSError from its shared library, anything its import raises
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise SolverUnavailable(f"HiGHS cannot be loaded ({type(exc).__name__}: {first}): install the 'highspy' "
                                "package (pip install highspy, or `make venv`). No output was changed.") from None
    return highspy


class HighsSolver:
    """One HiGHS instance holding one Pyomo model, passed in one call (see the module docstring).

    `columns[j]` is the Pyomo variable of HiGHS column j and `col_of[id(variable)]` its
    column; `rows[i]` the constraint of row i and `row_of[constraint]` its row."""

    def __init__(self):
        self.h = _new_highs()
        self.columns: list = []
        self.col_of: dict[int, int] = {}
        self.rows: list = []
        self.row_of: dict = {}
        self.coefficients: dict = {}

    def version(self) -> tuple[int, int, int]:
        h = self.h
        return h.versionMajor(), h.versionMinor(), h.versionPatch()

    def load(self, m) -> None:
        """Compile `m` to arrays (`compile_rows`) and pass them to HiGHS in one call, with the
        active objective (or none). Fixed variables stay columns with equal bounds: they are
        unfixed while compiling, so that releasing one later is a bound change and every
        variable keeps its column. `coefficients` then says how the matrix is scaled."""
        highspy = load_highspy()
        columns = list(m.component_data_objects(pyo.Var, descend_into=True))
        fixed = [v for v in columns if v.fixed]
        for v in fixed:
            v.unfix()
        try:
            col_of = {id(v): j for j, v in enumerate(columns)}
            visitor = _visitor()
            cons, start, index, value, row_lower, row_upper = compile_rows(
                m.component_data_objects(pyo.Constraint, active=True, descend_into=True), col_of, visitor)
            objectives = list(m.component_data_objects(pyo.Objective, active=True))
            cost, offset = np.zeros(len(columns)), 0.0
            if objectives:
                cols, coefs, offset = _linear(objectives[0].expr, col_of, visitor)
                np.add.at(cost, cols, coefs)
        finally:
            for v in fixed:
                v.fix()
        lower, upper, integer = column_data(columns)
        sense = highspy.ObjSense.kMaximize if objectives and objectives[0].sense == pyo.maximize \
            else highspy.ObjSense.kMinimize
        inf = highspy.kHighsInf
        h = self.h
        h.clearModel()
        h.passModel(len(columns), len(cons), len(index), int(highspy.MatrixFormat.kRowwise), int(sense), offset,
                    cost, np.clip(lower, -inf, inf), np.clip(upper, -inf, inf),
                    np.clip(row_lower, -inf, inf), np.clip(row_upper, -inf, inf), start, index, value,
                    integer.astype(np.int32))
        self.columns, self.col_of = columns, col_of
        self.rows, self.row_of = cons, {c: i for i, c in enumerate(cons)}
        self.coefficients = coefficient_range(start, index, value, cost, [c.name for c in cons],
                                              [v.name for v in columns])

    def linear(self, expr) -> tuple[np.ndarray, np.ndarray, float]:
        """(columns, coefficients, constant) of a linear expression over the loaded columns."""
        return _linear(expr, self.col_of, _visitor())


ROUNDING_COST = 1e-9        # a reduced cost this small, on a column unbounded on its side, is rounding
UNBOUNDED_AMOUNT = 1e6      # model units (10^9 vehicles, USD 10^12) allowed for such a column


def proven_fixings(h, x: np.ndarray, limit: float, time_limit: float | None = None) -> dict[int, tuple[float, float]]:
    """Binaries that no solution with objective <= `limit` can move, from the LP relaxation of
    the (minimizing) model the Highs object `h` holds, at the MIP solution `x`: {column: (its value, its value)}.

    Reduced-cost fixing, made rigorous by recomputing the bound: for any row duals y (HiGHS's,
    cleaned so that each multiplies a finite bound), d = c - A'y and every feasible x has
        c'x + offset = y'(Ax) + d'x + offset >= L = offset + sum_i y_i (row bound) + sum_j min(d_j l_j, d_j u_j),
    and a binary moved off the bound that attains its minimum adds |d_j| more. So when
    L + |d_j| > limit (plus a margin for rounding), every solution within `limit` keeps
    it there. The lexicographic stage fixes those binaries: its feasible set, and so its
    optimum, stay the same (tests/test_stage_two.py checks this on every shipped and
    hand-worked instance), and its branch and bound has only the undecided ones left."""
    highspy = load_highspy()
    lp = h.getLp()
    if lp.sense_ != highspy.ObjSense.kMinimize:
        return {}
    integrality = np.array([int(t) for t in lp.integrality_], dtype=np.uint8) if len(lp.integrality_) else \
        np.zeros(lp.num_col_, dtype=np.uint8)
    integer = np.flatnonzero(integrality).astype(np.int32)
    if not integer.size:
        return {}
    n = lp.num_col_
    col_lower, col_upper = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    at = np.round(np.asarray(x, dtype=float)[integer])
    h.changeColsIntegrality(len(integer), integer, np.zeros(len(integer), dtype=np.uint8))
    try:
        # The LP relaxation, warm: first the LP with the binaries fixed at stage one's optimum
        # (its optimal basis is then primal feasible for the relaxation), then the binaries
        # released and primal simplex from that basis: a few pivots where a cold solve of the
        # relaxation takes longer than the MIP itself.
        set_options(h, time_limit)
        h.changeColsBounds(len(integer), integer, at, at)
        h.clearSolver()          # else HiGHS keeps a stale basis and skips presolve (56,000 pivots at 10^5)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return {}
        h.changeColsBounds(len(integer), integer, col_lower[integer], col_upper[integer])
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)          # primal
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal or not h.getSolution().dual_valid:
            return {}
        y = np.asarray(h.getSolution().row_dual, dtype=float)
    finally:
        h.changeColsBounds(len(integer), integer, col_lower[integer], col_upper[integer])
        h.changeColsIntegrality(len(integer), integer, integrality[integer])
        set_options(h, time_limit)
    row_lower, row_upper = np.asarray(lp.row_lower_, dtype=float), np.asarray(lp.row_upper_, dtype=float)
    inf = highspy.kHighsInf
    y[(y > 0) & (row_lower <= -inf)] = 0.0       # a dual that would multiply an infinite bound
    y[(y < 0) & (row_upper >= inf)] = 0.0
    mat = lp.a_matrix_
    value, index = np.asarray(mat.value_, dtype=float), np.asarray(mat.index_)
    outer = np.repeat(np.arange(len(mat.start_) - 1), np.diff(np.asarray(mat.start_)))
    if mat.format_ == highspy.MatrixFormat.kColwise:        # A'y: per column, sum of value * y[row]
        aty = np.bincount(outer, weights=value * y[index], minlength=n)
    else:
        aty = np.bincount(index, weights=value * y[outer], minlength=n)
    d = np.asarray(lp.col_cost_, dtype=float) - aty
    lower, upper = col_lower, col_upper
    # A basic column with no bound on one side has a reduced cost of rounding size (1e-13) that
    # would multiply an infinite bound: read it as zero, allowing in the margin for up to
    # UNBOUNDED_AMOUNT model units of each such column; a real one leaves nothing proven.
    open_side = ((d > 0) & (lower <= -inf)) | ((d < 0) & (upper >= inf))
    if np.any(np.abs(d[open_side]) > ROUNDING_COST):
        return {}
    d[open_side] = 0.0
    bound = lp.offset_ + _least(y, row_lower, row_upper) + _least(d, lower, upper)
    margin = 1e-7 * max(1.0, abs(limit)) + 1e-6 + ROUNDING_COST * UNBOUNDED_AMOUNT * int(open_side.sum())
    cost = np.abs(d[integer])
    fix = integer[(cost > limit + margin - bound) & (lower[integer] > -inf) & (upper[integer] < inf)]
    at = np.where(d[fix] > 0, lower[fix], upper[fix])
    return {int(j): (float(v), float(v)) for j, v in zip(fix, at)}


def _least(v: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """min of v'x over lower <= x <= upper (v_j x_j at the bound its sign picks; 0 where v_j = 0)."""
    pos, neg = v > 0, v < 0
    return float(v[pos] @ lower[pos] + v[neg] @ upper[neg])


def _visitor():
    """Pyomo's linear-expression walker (the one its LP writer and standard-form compiler use);
    one per compile, so that each named expression (a metric in several rows) is walked once."""
    return LinearRepnVisitor({}, var_recorder=VarRecorder({}, None))


def _linear(expr, col_of: dict, visitor) -> tuple[np.ndarray, np.ndarray, float]:
    repn = visitor.walk_expression(expr)
    if repn.nonlinear is not None:
        raise ValueError("HiGHS takes linear rows and objectives only")
    cols = np.fromiter((col_of[k] for k in repn.linear), dtype=np.int32, count=len(repn.linear))
    coefs = np.fromiter(repn.linear.values(), dtype=float, count=len(repn.linear))
    return cols, coefs, float(pyo.value(repn.constant))


def compile_rows(constraints, col_of: dict, visitor):
    """Constraints as row-wise arrays: (the constraints given a row, start, index, value,
    row lower, row upper), constants moved to the bounds, zero coefficients dropped. A row
    whose variables all cancel is left out when it holds and refused when it cannot: the
    build keeps such rows through a variable fixed at zero (`build.row`)."""
    cons, start, index, value, lower, upper = [], [0], [], [], [], []
    for c in constraints:
        lb, body, ub = c.to_bounded_expression()
        if lb is None and ub is None:
            continue
        repn = visitor.walk_expression(body)
        if repn.nonlinear is not None:
            raise ValueError(f"constraint {c.name} is not linear")
        constant = float(pyo.value(repn.constant))
        lb = None if lb is None else float(pyo.value(lb)) - constant
        ub = None if ub is None else float(pyo.value(ub)) - constant
        terms = [(col_of[k], a) for k, a in repn.linear.items() if a]
        if not terms:
            if (lb is None or lb <= 1e-9) and (ub is None or ub >= -1e-9):
                continue
            raise ValueError(f"constraint {c.name} has no variables and cannot hold")
        for j, a in terms:
            index.append(j)
            value.append(a)
        start.append(len(index))
        lower.append(-math.inf if lb is None else lb)
        upper.append(math.inf if ub is None else ub)
        cons.append(c)
    return (cons, np.asarray(start, dtype=np.int32), np.asarray(index, dtype=np.int32),
            np.asarray(value, dtype=float), np.asarray(lower, dtype=float), np.asarray(upper, dtype=float))


def column_data(columns: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower, upper, integer) of each variable: its bounds and domain (a fixed variable: its
    value on both sides)."""
    n = len(columns)
    lower, upper = np.empty(n), np.empty(n)
    integer = np.zeros(n, dtype=bool)
    for j, v in enumerate(columns):
        if v.fixed:
            lower[j] = upper[j] = v.value
        else:
            lb, ub = v.bounds
            lower[j] = -np.inf if lb is None else lb
            upper[j] = np.inf if ub is None else ub
        integer[j] = v.is_integer()
    return lower, upper, integer


def make_solver() -> HighsSolver:
    """A HiGHS solver, or SolverUnavailable with a clear reason."""
    return HighsSolver()


def solver_version(solver) -> str:
    return ".".join(str(v) for v in solver.version())


def warm_start(h, x) -> None:
    """Hand HiGHS a solution as the incumbent of the next solve (stage one's optimum is feasible
    in the lexicographic stage, so its branch and bound starts with a solution)."""
    highspy = load_highspy()
    if x is None or len(x) != h.getNumCol():
        return
    start = highspy.HighsSolution()
    start.col_value = list(map(float, x))
    start.value_valid = True
    h.setSolution(start)


# The model is scaled so that its coefficients sit near 1 (thousand vehicles, USD million,
# each good's own scale); entries outside this band mean an input in an unexpected unit.
COEFFICIENT_BAND = (1e-7, 1e7)


def coefficient_range(start, index, value, cost, row_names: list[str], col_names: list[str]) -> dict:
    """The range of a row-wise matrix's and a cost vector's coefficients, naming the smallest and
    largest entries by row and variable; `ok` is False outside COEFFICIENT_BAND, where HiGHS's
    absolute tolerances stop being reliable."""
    rows = np.repeat(np.arange(len(start) - 1), np.diff(np.asarray(start)))
    values = np.abs(np.concatenate([np.asarray(value, dtype=float), np.asarray(cost, dtype=float)]))
    rows = np.concatenate([rows, np.full(len(cost), -1)])          # -1: the objective
    cols = np.concatenate([np.asarray(index), np.arange(len(cost))])
    nonzero = np.flatnonzero(values > 0)
    if not nonzero.size:
        return {"min": None, "max": None, "ok": True}
    lo, hi = nonzero[values[nonzero].argmin()], nonzero[values[nonzero].argmax()]

    def where(k):
        r = int(rows[k])
        return {"row": "the objective" if r < 0 else row_names[r], "variable": col_names[int(cols[k])],
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


def set_options(h, time_limit: float | None = None, **extra) -> None:
    """Set `highs_options` (and `extra`) on the Highs object `h`."""
    for k, v in {**highs_options(h.getNumCol(), time_limit), **extra}.items():
        h.setOptionValue(k, v)


def run(h, time_limit: float | None = None) -> SolveOutcome:
    """Run HiGHS on the model `h` holds, with `highs_options`; the outcome with the column values
    when there is a solution. HiGHS failing is an outcome ('error'), not an exception."""
    highspy = load_highspy()
    try:
        set_options(h, time_limit)
        h.run()
        S = highspy.HighsModelStatus
        status, info = h.getModelStatus(), h.getInfo()
        has_solution = info.primal_solution_status == 2          # kSolutionStatusFeasible
        x = np.asarray(h.getSolution().col_value, dtype=float) if has_solution else None
        obj = info.objective_function_value if has_solution else None
        bound = (obj if status == S.kOptimal and has_solution else None) if info.mip_node_count == -1 \
            else info.mip_dual_bound                              # mip_node_count -1: an LP
        gap = None
        if obj is not None and bound is not None and math.isfinite(bound):
            gap = abs(obj - bound) / max(1e-10, abs(obj))
        if status == S.kOptimal and has_solution:
            return SolveOutcome("optimal", obj, bound, gap or 0.0, has_solution=True, x=x)
        if status == S.kTimeLimit:
            return SolveOutcome("time_limit", obj, bound, gap, "time limit reached", has_solution, x)
        if status == S.kInfeasible:
            return SolveOutcome("infeasible", message="no deal satisfies every constraint")
        if status == S.kUnbounded:
            return SolveOutcome("unbounded", message="the objective can improve without limit")
        if status == S.kUnboundedOrInfeasible:
            return _infeasible_or_unbounded(h)
        return SolveOutcome("error", message=f"HiGHS stopped: {h.modelStatusToString(status)}")
    except Exception as exc:  # HiGHS crashed or rejected the model
        return SolveOutcome("error", message=f"{type(exc).__name__}: {exc}")


def _infeasible_or_unbounded(h) -> SolveOutcome:
    """HiGHS's presolve may not tell the two apart: re-solve for feasibility alone (zero costs)."""
    highspy = load_highspy()
    lp = h.getLp()
    cost, offset = np.asarray(lp.col_cost_, dtype=float), lp.offset_
    n = len(cost)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.run()
    feasible = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    h.changeObjectiveOffset(offset)
    if feasible:
        return SolveOutcome("unbounded", message="the objective can improve without limit")
    return SolveOutcome("infeasible", message="no deal satisfies every constraint")
