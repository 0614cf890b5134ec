"""HiGHS for the Pyomo model: pass it in one call, solve, read the solution back, get duals.

Pyomo is the modelling layer; HiGHS gets the model as arrays. `HighsSolver.load` walks
every row once with Pyomo's linear-expression walker (`pyomo.repn.linear`, the one Pyomo's
LP writer and standard-form compiler use, with one cache so that each metric is walked
once), collects row-wise arrays and hands them to highspy's `passModel` in one call,
instead of adding rows one by one through Pyomo's persistent interface (about three
minutes at 10^6 variables, against seconds). Pyomo's standard-form compiler does the same
walk and is as fast, but builds scipy matrices: importing scipy costs 0.5 s, as long as
the whole solve of the default instance. It keeps both maps (Pyomo variable ->
HiGHS column, constraint -> row), which the duals, ranging, the re-solve path
(`resolve.Resolver`) and the coefficient check read.

Later changes reach HiGHS incrementally when they are additions (a constraint or variable
component, rows added to a ConstraintList, another active objective: the lexicographic
stage, Nash's tangent cuts, the weighted and review objectives) or the removal or
deactivation of whole constraint components; anything else (a mutable parameter's new value,
a variable component removed) reloads the model. Bounds and domains of variables changed
after loading are not seen, except through `fix_binaries` (the fixed LP), which changes
HiGHS and Pyomo together.

Statuses are the five words users see: optimal, infeasible, unbounded, time_limit, error.
Shadow prices of a MILP come from the LP with every binary fixed at its optimal value
(the 'fixed LP'); they say what relaxing a constraint is worth while the chosen tariff
options and NTB reliefs stay as they are.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.repn.linear import LinearRepnVisitor
from pyomo.repn.util import VarRecorder

from model.data.instance import Deal, Instance
from model.errors import SolverUnavailable
from model.optimization.build import read_deal

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


def highs_options(columns: int, time_limit: float | None = None) -> dict:
    """The HiGHS options of every solve of a model with `columns` columns: gaps, one thread, a
    fixed seed, and for large models light presolve, a looser gap and an interior-point root.
    The benchmarks give raw highspy and linopy these same options."""
    large = columns > LARGE_MODEL_VARIABLES
    options = {"mip_rel_gap": LARGE_MIP_REL_GAP if large else MIP_REL_GAP, "mip_abs_gap": MIP_ABS_GAP,
               "threads": 1, "random_seed": 0, "time_limit": float(time_limit) if time_limit else math.inf,
               "presolve_mode": 2 if large else 0, "presolve": "choose", "simplex_strategy": 1,
               "mip_lp_solver": "ipm" if columns > ROOT_IPM_VARIABLES else "choose"}
    return options


@dataclass
class SolveOutcome:
    status: str                                  # optimal, infeasible, unbounded, time_limit, error
    objective: float | None = None               # in model units (objective_scale converts)
    bound: float | None = None
    mip_gap: float | None = None
    message: str = ""
    has_solution: bool = False


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
    """One HiGHS instance holding one Pyomo model (see the module docstring).

    `columns[j]` is the Pyomo variable of HiGHS column j and `col_of[id(variable)]` its
    column; `rows[i]` the constraint of row i and `row_of[constraint]` its row."""

    def __init__(self):
        self.h = _new_highs()
        self.model = None
        self.columns: list = []
        self.col_of: dict[int, int] = {}
        self.rows: list = []
        self.row_of: dict = {}
        self.objective = None          # the Pyomo objective HiGHS optimizes
        self.unused: list = []         # variables in no row and not in the objective (no column)
        self._unused_ids: set = set()
        self._costs: dict = {}         # id(objective) -> (objective, costs, offset)
        self._state = None

    def available(self) -> bool:
        """HiGHS answers (highspy imported and a Highs object made)."""
        return self.h is not None

    def version(self) -> tuple[int, int, int]:
        h = self.h
        return h.versionMajor(), h.versionMinor(), h.versionPatch()

    # -- passing the model -----------------------------------------------------------------
    def load(self, m) -> None:
        """Compile `m` to arrays (`compile_rows`) and pass them to HiGHS in one call.

        Fixed variables stay columns (with equal bounds): they are unfixed while compiling, so
        that fixing or releasing one later is a bound change and every variable keeps its column."""
        highspy = load_highspy()
        columns = list(_variables(m))
        fixed = [v for v in columns if v.fixed]
        for v in fixed:
            v.unfix()
        try:
            col_of = {id(v): j for j, v in enumerate(columns)}
            visitor = _visitor()
            cons, start, index, value, row_lower, row_upper = compile_rows(_constraints(m), col_of, visitor)
            objectives = list(m.component_data_objects(pyo.Objective, active=True))
            cost, offset = np.zeros(len(columns)), 0.0
            if objectives:
                cols, coefs, offset = _linear(objectives[0].expr, col_of, visitor)
                np.add.at(cost, cols, coefs)
        finally:
            for v in fixed:
                v.fix()
        lower, upper, integer = _column_data(columns)
        sense = highspy.ObjSense.kMaximize if objectives and objectives[0].sense == pyo.maximize \
            else highspy.ObjSense.kMinimize
        inf = highspy.kHighsInf
        h = self.h
        h.clearModel()
        h.passModel(len(columns), len(cons), len(index), int(highspy.MatrixFormat.kRowwise), int(sense), offset,
                    cost, np.clip(lower, -inf, inf), np.clip(upper, -inf, inf),
                    np.clip(row_lower, -inf, inf), np.clip(row_upper, -inf, inf), start, index, value,
                    integer.astype(np.int32))
        self.model = m
        self.columns = columns
        self.col_of = col_of
        self.rows = cons
        self.row_of = {c: i for i, c in enumerate(cons)}
        self.objective = objectives[0] if objectives else None
        self.unused, self._unused_ids = [], set()
        self._state = _structure(m)
        self._seen = list(m.component_objects((pyo.Constraint, pyo.Var), descend_into=True))
        self._costs = {}

    def sync(self, m) -> None:
        """Bring HiGHS up to date with `m` (see the module docstring): nothing when unchanged,
        added rows and columns, removed rows, another objective; else a full reload."""
        if self.model is not m:
            return self.load(m)
        state, old = _structure(m), self._state
        if state != old:
            if state["params"] != old["params"] or any(state["vars"].get(k, 0) < size
                                                       for k, size in old["vars"].items()):
                return self.load(m)
            cons = {id(c): c for c in m.component_objects(pyo.Constraint, active=True, descend_into=True)}
            changed = {k for k in old["cons"] if state["cons"].get(k) != old["cons"][k]}
            if changed:          # removed, deactivated or resized constraint components
                still = {id(c) for k in changed if k in cons for c in cons[k].values() if c.active}
                self._delete_rows({id(c) for c in self.rows
                                   if id(c.parent_component()) in changed and id(c) not in still})
            for comp in m.component_objects(pyo.Var, descend_into=True):
                if old["vars"].get(id(comp)) != len(comp):
                    self._add_columns([v for v in comp.values() if id(v) not in self.col_of])
            for k, comp in cons.items():
                if old["cons"].get(k) != len(comp):
                    self._add_rows([c for c in comp.values() if c.active and c not in self.row_of])
            self._state = state
            self._seen = list(m.component_objects((pyo.Constraint, pyo.Var), descend_into=True))
        active = list(m.component_data_objects(pyo.Objective, active=True))
        if len(active) != 1:
            raise ValueError(f"the model has {len(active)} active objectives; HiGHS takes one")
        if active[0] is not self.objective:
            self.set_objective(active[0])

    def mark_synced(self, m) -> None:
        """`m` as it stands is what HiGHS holds (after changing both directly)."""
        self._state = _structure(m)

    def linear(self, expr) -> tuple[np.ndarray, np.ndarray, float]:
        """(columns, coefficients, constant) of a linear expression over the loaded columns."""
        return _linear(expr, self.col_of, _visitor())

    def set_objective(self, obj) -> None:
        """Make `obj` HiGHS's objective: costs, offset and sense (each objective's costs are
        computed once while the columns stay the same)."""
        highspy = load_highspy()
        if id(obj) not in self._costs:
            cols, coefs, constant = self.linear(obj.expr)
            cost = np.zeros(len(self.columns))
            np.add.at(cost, cols, coefs)
            self._costs[id(obj)] = (obj, cost, constant)
        _, cost, constant = self._costs[id(obj)]
        h = self.h
        h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        h.changeObjectiveOffset(constant)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if obj.sense == pyo.maximize else highspy.ObjSense.kMinimize)
        self.objective = obj

    def _add_columns(self, new: list) -> None:
        new = [v for v in new if id(v) not in self._unused_ids]
        if not new:
            return
        lower, upper, integer = _column_data(new)
        inf = load_highspy().kHighsInf
        h, start = self.h, len(self.columns)
        h.addVars(len(new), np.clip(lower, -inf, inf), np.clip(upper, -inf, inf))
        if integer.any():
            idx = np.arange(start, start + len(new), dtype=np.int32)
            h.changeColsIntegrality(len(new), idx, integer.astype(np.uint8))
        for j, v in enumerate(new, start):
            self.col_of[id(v)] = j
        self.columns += new
        self._costs = {}

    def _add_rows(self, cons: list) -> None:
        inf = load_highspy().kHighsInf
        for c in cons:
            met = [v for v in _vars_in(c.body) if id(v) not in self.col_of]   # e.g. one that was unused
            if met:
                self._unused_ids -= {id(v) for v in met}
                self.unused = [u for u in self.unused if id(u) in self._unused_ids]
                self._add_columns(met)
            cols, coefs, constant = self.linear(c.body)
            lo = -inf if c.lower is None else pyo.value(c.lower) - constant
            up = inf if c.upper is None else pyo.value(c.upper) - constant
            self.h.addRow(lo, up, len(cols), cols, coefs)
            self.row_of[c] = len(self.rows)
            self.rows.append(c)

    def _delete_rows(self, ids: set) -> None:
        gone = np.array([id(c) in ids for c in self.rows], dtype=bool)
        if not gone.any():
            return
        where = np.flatnonzero(gone).astype(np.int32)
        self.h.deleteRows(len(where), where)
        self.rows = [c for c, g in zip(self.rows, gone) if not g]
        self.row_of = {c: i for i, c in enumerate(self.rows)}

    # -- reading back ----------------------------------------------------------------------
    def values(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value, dtype=float)

    def load_values(self) -> None:
        """HiGHS's solution into the Pyomo variables (unused ones: 0 within their bounds)."""
        for v, x in zip(self.columns, self.values().tolist()):
            v.set_value(x, skip_validation=True)
        for v in self.unused:
            if not v.fixed:
                lb, ub = v.bounds
                v.set_value(max(lb if lb is not None else -math.inf, min(ub if ub is not None else math.inf, 0.0)),
                            skip_validation=True)

    def duals(self) -> dict:
        """Constraint -> HiGHS's row dual."""
        duals = self.h.getSolution().row_dual
        return {c: duals[i] for c, i in self.row_of.items()}

    def fix_binaries(self, m) -> None:
        """Fix every binary at its (rounded) value and make it continuous, in Pyomo and HiGHS
        alike: the fixed LP."""
        binaries = [v for v in _variables(m) if v.is_binary()]
        cols, values = [], []
        for v in binaries:
            value = round(pyo.value(v))
            v.domain = pyo.Reals
            v.fix(value)
            if id(v) in self.col_of:
                cols.append(self.col_of[id(v)])
                values.append(float(value))
        if cols:
            idx, vals = np.array(cols, dtype=np.int32), np.array(values)
            self.h.changeColsIntegrality(len(idx), idx, np.zeros(len(idx), dtype=np.uint8))
            self.h.changeColsBounds(len(idx), idx, vals, vals)
        self.mark_synced(m)


ROUNDING_COST = 1e-9        # a reduced cost this small, on a column unbounded on its side, is rounding
UNBOUNDED_AMOUNT = 1e6      # model units (10^9 vehicles, USD 10^12) allowed for such a column


def proven_fixings(solver, limit: float, time_limit: float | None = None) -> dict[int, tuple[float, float]]:
    """Binaries that no solution with objective <= `limit` can move, from the LP relaxation of
    the (minimizing) model HiGHS holds: {column: (its value, its value)}.

    Reduced-cost fixing, made rigorous by recomputing the bound: for any row duals y (HiGHS's,
    cleaned so that each multiplies a finite bound), d = c - A'y and every feasible x has
        c'x + offset = y'(Ax) + d'x + offset >= L = offset + sum_i y_i (row bound) + sum_j min(d_j l_j, d_j u_j),
    and a binary moved off the bound that attains its minimum adds |d_j| more. So when
    L + |d_j| > limit (plus a margin for rounding), every solution within `limit` keeps
    it there. The lexicographic stage fixes those binaries: its feasible set, and so its
    optimum, stay the same (tests/test_stage_two.py checks this on every shipped and
    hand-worked instance), and its branch and bound has only the undecided ones left."""
    highspy = load_highspy()
    h = solver.h
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
    at = np.round(solver.values()[integer])
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


def change_bounds(solver, bounds: dict[int, tuple[float, float]]) -> dict[int, tuple[float, float]]:
    """Set HiGHS column bounds {column: (lower, upper)}; return the bounds they replace."""
    if not bounds:
        return {}
    lp = solver.h.getLp()
    cols = np.fromiter(bounds, dtype=np.int32, count=len(bounds))
    lower, upper = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    old = {int(j): (float(lower[j]), float(upper[j])) for j in cols}
    solver.h.changeColsBounds(len(cols), cols, np.array([bounds[j][0] for j in cols.tolist()]),
                              np.array([bounds[j][1] for j in cols.tolist()]))
    return old


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


def _variables(m):
    return m.component_data_objects(pyo.Var, descend_into=True)


def _constraints(m):
    return m.component_data_objects(pyo.Constraint, active=True, descend_into=True)


def _vars_in(expr):
    from pyomo.core.expr.visitor import identify_variables
    return identify_variables(expr, include_fixed=True)


def _column_data(columns: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower, upper, integer) of each variable: its bounds and domain (a fixed variable: its
    value on both sides); one pass per Var component where they are uniform."""
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


def _structure(m) -> dict:
    """What sync compares: active constraint components and their sizes, Var components and
    their sizes, mutable parameters' values (components are compared by identity: the solver
    keeps the ones it has seen alive, see `HighsSolver.sync`)."""
    return {
        "cons": {id(c): len(c) for c in m.component_objects(pyo.Constraint, active=True, descend_into=True)},
        "vars": {id(v): len(v) for v in m.component_objects(pyo.Var, descend_into=True)},
        "params": tuple(tuple(pyo.value(p[k]) for k in p) for p in m.component_objects(pyo.Param, descend_into=True)
                        if p.mutable),
    }


def make_solver() -> HighsSolver:
    """A HiGHS solver, or SolverUnavailable with a clear reason."""
    solver = HighsSolver()
    if not solver.available():
        raise SolverUnavailable("HiGHS is not available: install the 'highspy' package (pip install highspy)")
    return solver


def solver_version(solver) -> str:
    return ".".join(str(v) for v in solver.version())


# The Pyomo solver interfaces capture the process's stdout/stderr file descriptors around
# each solve, which is not safe when two threads do it at once (a Dask worker with several
# threads). Sweeps hold this lock around solves of Pyomo models; draws re-solved through
# highspy directly do not need it.
PYOMO_SOLVER_LOCK = threading.RLock()


def warm_start(solver, x=None) -> None:
    """Hand HiGHS a solution (default: its current one) as the incumbent of the next solve.
    Used before the lexicographic stage: stage one's optimum is feasible there, so the branch
    and bound starts with a solution instead of searching for one."""
    highspy = load_highspy()
    h = solver.h
    if x is None:
        x = solver.values()
    if len(x) != h.getNumCol():
        return
    start = highspy.HighsSolution()
    start.col_value = list(map(float, x))
    start.value_valid = True
    h.setSolution(start)


# The model is scaled so that its coefficients sit near 1 (thousand vehicles, USD million,
# each good's own scale); entries outside this band mean an input in an unexpected unit.
COEFFICIENT_BAND = (1e-7, 1e7)


def coefficient_range(solver, m) -> dict:
    """Load `m` into HiGHS and report the range of its coefficients (constraint matrix and
    objective), naming the smallest and largest entries by row and variable; `ok` is False
    outside COEFFICIENT_BAND, where HiGHS's absolute tolerances stop being reliable."""
    highspy = load_highspy()
    solver.sync(m)
    lp = solver.h.getLp()
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
    lo, hi = nonzero[values[nonzero].argmin()], nonzero[values[nonzero].argmax()]

    def where(k):
        r = int(rows[k])
        return {"row": "the objective" if r < 0 else solver.rows[r].name,
                "variable": solver.columns[int(cols[k])].name, "value": float(values[k])}
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


def solve(solver, m, time_limit: float | None = None) -> SolveOutcome:
    """Solve `m` as it stands (syncing HiGHS with it first); load the solution if there is one."""
    try:
        solver.sync(m)
        return run_loaded(solver, time_limit)
    except Exception as exc:  # HiGHS crashed or rejected the model
        return SolveOutcome("error", message=f"{type(exc).__name__}: {exc}")


def run_loaded(solver, time_limit: float | None = None) -> SolveOutcome:
    """Run HiGHS on the model it holds; load the solution into the Pyomo variables if there is one."""
    highspy = load_highspy()
    h = solver.h
    set_options(h, time_limit)
    h.run()
    S = highspy.HighsModelStatus
    status, info = h.getModelStatus(), h.getInfo()
    has_solution = info.primal_solution_status == 2          # kSolutionStatusFeasible
    if has_solution:
        solver.load_values()
    obj = info.objective_function_value if has_solution else None
    if info.mip_node_count == -1:           # an LP
        bound = obj if status == S.kOptimal and has_solution else None
    else:
        bound = info.mip_dual_bound
    gap = None
    if obj is not None and bound is not None and math.isfinite(bound):
        gap = abs(obj - bound) / max(1e-10, abs(obj))
    if status == S.kOptimal and has_solution:
        return SolveOutcome("optimal", obj, bound, gap or 0.0, has_solution=True)
    if status == S.kTimeLimit:
        return SolveOutcome("time_limit", obj, bound, gap, "time limit reached", has_solution)
    if status == S.kInfeasible:
        return SolveOutcome("infeasible", message="no deal satisfies every constraint")
    if status == S.kUnbounded:
        return SolveOutcome("unbounded", message="the objective can improve without limit")
    if status == S.kUnboundedOrInfeasible:
        return _infeasible_or_unbounded(solver)
    return SolveOutcome("error", message=f"HiGHS stopped: {h.modelStatusToString(status)}")


def _infeasible_or_unbounded(solver) -> SolveOutcome:
    """HiGHS's presolve may not tell the two apart: re-solve for feasibility alone (zero costs)."""
    highspy = load_highspy()
    h = solver.h
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
    highspy = load_highspy()
    solver.sync(m)
    solver.fix_binaries(m)
    h = solver.h
    set_options(h)
    h.clearSolver()              # a stale basis would make HiGHS skip presolve
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return FixedLp(h.modelStatusToString(h.getModelStatus()), {})
    solver.load_values()
    row_dual = h.getSolution().row_dual
    duals = {}
    for name, con in m.row_info.items():
        i = solver.row_of.get(con)
        if i is not None:
            duals[name] = row_dual[i] * m.objective_scale / m.row_scale[name]
    ranging = None
    try:
        ranging = h.getRanging()
    except Exception:  # ranging is an extra; its absence must not fail a solve
        ranging = None
    return FixedLp("optimal", duals, ranging)
