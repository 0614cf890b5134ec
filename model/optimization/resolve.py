"""Solve many variants of one instance on one built model: change the numbers, re-solve.

A sweep changes data (elasticities, ceilings, capacities, ...), never the model's
structure, so the Pyomo model is built and passed to HiGHS (`highs.HighsSolver.load`:
compiled to arrays, one call) once. For each draw the new numbers reach the same HiGHS
model through the solver's maps (Pyomo variable -> HiGHS column, constraint -> row):

1. the option table and references are recomputed for the draw (`economics`, `metrics`);
2. each metric and each row is derived as a coefficient map by the very code that
   builds the Pyomo model (`build.metric_expressions` and the row generators of
   `build.row_families`, run on HiGHS column numbers with a Pyomo-free `linear`);
3. the HiGHS model is re-passed with the new coefficients, bounds and costs (whole, so
   that every draw starts from the same solver state and results do not depend on the
   order in which a worker meets the draws), solved, and the lexicographic second stage
   is added and solved as `run` does;
4. the deal is read back and verified by `checks`, exactly as after `run`.

Step 2 is checked once, when the Resolver is made: the derived rows for the base
instance must equal, coefficient by coefficient, what Pyomo loaded into HiGHS. If they
do not (Pyomo simplified a row differently, say), or a draw turns a row with no variables from
true to false (the built model would then differ in structure), or the objective is not
`min_deficit`, the draw is solved by rebuilding the Pyomo model instead: slower, same
answer. `Resolver.method` and each `DrawResult.method` say which was used, and why.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace

import highspy
import pyomo.environ as pyo

from model.data.instance import Deal, Instance
from model.economics.checks import VIOLATION_TOLERANCE, constraint_checks, max_violation
from model.economics.metrics import evaluate, references
from model.economics.responses import option_table
from model.optimization.build import build_model, metric_expressions, read_deal, row_families
from model.optimization.highs import (
    LARGE_MODEL_VARIABLES,
    PYOMO_SOLVER_LOCK,
    extract_deal,
    highs_options,
    make_solver,
    solve,
)
from model.optimization.objectives import lexicographic_stage, polish_solution

INF = highspy.kHighsInf
COEF_TOLERANCE = 1e-9     # HiGHS drops matrix entries this small (its small_matrix_value)


class Form:
    """sum_j terms[j] x_j + constant, over HiGHS column numbers: the metric and row
    arithmetic of `build` without Pyomo (same operations, in the same order)."""

    __slots__ = ("terms", "constant")

    def __init__(self, terms: dict | None = None, constant: float = 0.0):
        self.terms = {} if terms is None else terms
        self.constant = constant

    def __add__(self, other):
        if not isinstance(other, Form):
            return Form(dict(self.terms), self.constant + other)
        terms = dict(self.terms)
        for k, v in other.terms.items():
            terms[k] = terms.get(k, 0) + v
        return Form(terms, self.constant + other.constant)

    __radd__ = __add__

    def __neg__(self):
        return Form({k: -v for k, v in self.terms.items()}, -self.constant)

    def __sub__(self, other):
        if not isinstance(other, Form):
            return Form(dict(self.terms), self.constant - other)
        terms = dict(self.terms)
        for k, v in other.terms.items():
            terms[k] = terms.get(k, 0) - v
        return Form(terms, self.constant - other.constant)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, c):
        return Form({k: v * c for k, v in self.terms.items()}, self.constant * c)

    __rmul__ = __mul__

    def value(self, x) -> float:
        return sum(v * x[k] for k, v in self.terms.items()) + self.constant


def linear_form(coefs, variables, constant=0.0):
    """`build.linear` for Forms: constant + sum_i coefs[i] * variables[i]."""
    if not variables:
        return constant if constant else 0
    terms = {}
    if coefs is None:
        for v in variables:
            (k,) = v.terms
            terms[k] = terms.get(k, 0) + 1
    else:
        for c, v in zip(coefs, variables):
            (k,) = v.terms
            terms[k] = terms.get(k, 0) + c
    return Form(terms, constant) if constant else Form(terms)


def _row(lhs, sense: str, rhs) -> tuple[object, str]:
    """`lhs sense rhs` as (form, sense) with form = body - bound, normalized as Pyomo does: a
    constant on the left and variables on the right make `rhs reversed-sense lhs`."""
    if not isinstance(lhs, Form) and isinstance(rhs, Form):
        return rhs - lhs, {"<=": ">=", ">=": "<=", "==": "=="}[sense]
    return lhs - rhs, sense


class _Columns:
    """`var[index]` -> the Form of HiGHS column of that Pyomo variable."""

    def __init__(self, cols: dict):
        self.cols = cols

    def __getitem__(self, index):
        return Form({self.cols[index]: 1})


@dataclass
class DrawResult:
    """One draw solved: status, the deal, its metrics and verification."""

    status: str
    message: str = ""
    deal: Deal | None = None
    metrics: dict | None = None
    max_violation: float | None = None
    verified: bool | None = None
    method: str = "re-solve"        # or 'rebuild'


class Resolver:
    """One instance's model, built once, re-solved for other values of its numbers."""

    def __init__(self, inst: Instance):
        self.base = inst
        self.objective = inst.settings.objective
        self.method, self.reason = "re-solve", ""
        if self.objective != "min_deficit":
            self._fallback(f"the '{self.objective}' objective is solved by model.objectives")
            return
        table = option_table(inst)
        refs = references(inst, table)
        m = build_model(inst, table, refs)
        if hasattr(m, "constant_zero"):
            self._fallback("the base model keeps a row that no lever can satisfy")
            return
        self.solver = make_solver()
        self.solver.load(m)                  # the whole model, compiled to arrays, in one call
        self.h = self.solver.h
        self.h.setOptionValue("output_flag", False)
        self.options = highs_options(self.h.getNumCol(), inst.settings.time_limit)
        for k, v in self.options.items():
            self.h.setOptionValue(k, v)
        var_map = self.solver.col_of
        self.columns: dict[str, dict] = {}
        for var in m.component_objects(pyo.Var):
            self.columns[var.local_name] = {i: var_map[id(v)] for i, v in var.items() if id(v) in var_map}
        self.sets = SimpleNamespace(
            OPTIONS=list(m.OPTIONS), CHANNEL_SEGMENTS=list(m.CHANNEL_SEGMENTS), MAKER_SEGMENTS=list(m.MAKER_SEGMENTS),
            NTB=list(m.NTB), GOODS=list(m.GOODS), SEGMENTS=list(m.SEGMENTS), index_maps=m.index_maps,
            LINES=list(m.LINES), LINE_OPTIONS=list(m.LINE_OPTIONS),
            lever_families=m.lever_families, lever_families_by_name=m.lever_families_by_name,
            **{name: _Columns(cols) for name, cols in self.columns.items()})
        self.rows = [(con.parent_component().local_name, con.index()) for con in self.solver.rows]
        lp = self.h.getLp()
        self.num_col = lp.num_col_
        self.col_lower, self.col_upper = list(lp.col_lower_), list(lp.col_upper_)
        self.integrality = list(lp.integrality_)
        problem = self._self_check(lp, inst, table, refs)
        if problem:
            self._fallback(f"derived rows differ from the built model ({problem})")

    def _fallback(self, reason: str) -> None:
        self.method, self.reason = "rebuild", reason

    # -- the model's numbers for an instance -------------------------------------
    def _forms(self, inst: Instance, table, refs) -> tuple[dict, dict, list[str]]:
        """The metrics, and each row as (lhs - rhs form, sense), for `inst`, from the build's own
        metric code and row generators; plus the rows with no variables that do not hold (the
        built model would keep them: structure changes)."""
        s = self.sets
        metrics, _ = metric_expressions(s, inst, table, linear=linear_form)
        rows = {}
        for name, generate in row_families(s):
            for index, lhs, sense, rhs, _ in generate(s, inst, table, refs, metrics, linear_form):
                rows[name, index] = _row(lhs, sense, rhs)
        broken = []
        for key, (form, sense) in list(rows.items()):
            c = form.constant if isinstance(form, Form) else form
            if math.isinf(c):                  # an 'unlimited' bound: `build` adds no row
                del rows[key]
            elif not isinstance(form, Form) or not form.terms:
                del rows[key]                  # no variables: `build` skips it if it holds
                if not (c <= 0 if sense == "<=" else c >= 0 if sense == ">=" else c == 0):
                    broken.append(f"{key[0]}[{key[1]}]")
        if hasattr(self, "row_keys") and set(rows) != self.row_keys:
            broken.append("rows appear or disappear")     # e.g. an 'unlimited' capacity made finite
        return metrics, rows, broken

    @staticmethod
    def _bounds(form: Form, sense: str) -> tuple[float, float]:
        c = -form.constant
        return (-INF, c) if sense == "<=" else (c, INF) if sense == ">=" else (c, c)

    def _self_check(self, lp, inst, table, refs) -> str:
        """'' if the derived model for the base instance is the one Pyomo loaded; else what differs."""
        metrics, rows, _ = self._forms(inst, table, refs)
        mat = lp.a_matrix_
        # Each attribute read copies the whole array out of HiGHS: read each once.
        start, index, value = list(mat.start_), list(mat.index_), list(mat.value_)
        row_lower, row_upper, col_cost = list(lp.row_lower_), list(lp.row_upper_), list(lp.col_cost_)
        loaded = [dict() for _ in range(lp.num_row_)]
        if mat.format_ == highspy.MatrixFormat.kColwise:
            for j in range(lp.num_col_):
                for p in range(start[j], start[j + 1]):
                    loaded[index[p]][j] = value[p]
        else:
            for i in range(lp.num_row_):
                for p in range(start[i], start[i + 1]):
                    loaded[i][index[p]] = value[p]

        def differ(a: float, b: float) -> bool:
            return abs(a - b) > 1e-12 * max(1.0, abs(a), abs(b)) and not (math.isinf(a) and a == b)
        for i, key in enumerate(self.rows):
            if key not in rows:
                return f"row family '{key[0]}' is not derived"
            form, sense = rows[key]
            lo, up = self._bounds(form, sense)
            if differ(lo, row_lower[i]) or differ(up, row_upper[i]):
                return f"bounds of {key[0]}[{key[1]}]"
            mine = {j: v for j, v in form.terms.items() if abs(v) > COEF_TOLERANCE}
            theirs = {j: v for j, v in loaded[i].items() if abs(v) > COEF_TOLERANCE}
            if set(mine) != set(theirs) or any(differ(mine[j], theirs[j]) for j in mine):
                return f"coefficients of {key[0]}[{key[1]}]: {mine} vs {theirs}"
        if set(rows) != set(self.rows):
            return "rows: " + ", ".join(f"{k[0]}[{k[1]}]" for k in sorted(set(rows) ^ set(self.rows), key=str)[:3])
        self.row_keys = set(self.rows)
        deficit = metrics[inst.settings.objective_metric]
        cost = [0.0] * lp.num_col_
        for j, v in deficit.terms.items():
            cost[j] = v
        if any(differ(a, b) for a, b in zip(cost, col_cost)) or differ(deficit.constant, lp.offset_):
            return "objective"
        return ""

    # -- solving a draw ----------------------------------------------------------
    def solve(self, inst: Instance) -> DrawResult:
        """Solve `inst` (the base instance with other numbers) and verify the deal."""
        table = option_table(inst)
        refs = references(inst, table)
        if self.method == "rebuild":
            return self._rebuild(inst, table, refs)
        metrics, rows, broken = self._forms(inst, table, refs)
        if broken:
            return self._rebuild(inst, table, refs)
        h = self.h
        h.passModel(self._lp(rows, metrics[inst.settings.objective_metric]))
        h.clearSolver()
        for k, v in self.options.items():
            h.setOptionValue(k, v)
        h.run()
        status, has_solution = self._status()
        if not has_solution:
            return DrawResult(status, _MESSAGES.get(status, ""), method="re-solve")
        x = list(h.getSolution().col_value)
        if status == "optimal":
            x = self._second_stage(inst, metrics, x)
        x = self._polish(inst, metrics, x, second=status == "optimal")
        deal, binaries = self._deal(inst, x)
        return _verified(inst, table, refs, status, deal, binaries, "re-solve")

    def _lp(self, rows: dict, objective: Form) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.num_col, len(self.rows)
        lp.col_lower_, lp.col_upper_, lp.integrality_ = self.col_lower, self.col_upper, self.integrality
        cost = [0.0] * self.num_col
        for j, v in objective.terms.items():
            cost[j] = v
        lp.col_cost_, lp.offset_, lp.sense_ = cost, objective.constant, highspy.ObjSense.kMinimize
        start, index, value, lower, upper = [0], [], [], [], []
        for key in self.rows:
            form, sense = rows[key]
            lo, up = self._bounds(form, sense)
            lower.append(lo)
            upper.append(up)
            for j, v in form.terms.items():
                index.append(j)
                value.append(v)
            start.append(len(index))
        lp.row_lower_, lp.row_upper_ = lower, upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = self.num_col, len(self.rows)
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
        return lp

    def _status(self) -> tuple[str, bool]:
        h = self.h
        ms = h.getModelStatus()
        has = h.getInfo().primal_solution_status == 2       # kSolutionStatusFeasible
        S = highspy.HighsModelStatus
        if ms == S.kOptimal:
            return "optimal", has
        if ms == S.kInfeasible:
            return "infeasible", False
        if ms == S.kUnbounded:
            return "unbounded", False
        if ms == S.kUnboundedOrInfeasible:
            # Presolve may not tell the two apart: look for any feasible point (as solver.py does).
            h.changeColsCost(self.num_col, list(range(self.num_col)), [0.0] * self.num_col)
            h.run()
            return ("unbounded" if h.getModelStatus() == S.kOptimal else "infeasible"), False
        if ms == S.kTimeLimit:
            return "time_limit", has
        return "error", False

    def _second_stage(self, inst: Instance, metrics: dict, x: list) -> list:
        """Keep the optimal deficit (to the lexicographic tolerance), maximize the partner's payoff."""
        h, deficit, payoff = self.h, metrics[inst.settings.objective_metric], metrics["partner_payoff"]
        best = deficit.value(x)
        tol = inst.settings.lexicographic_tolerance * max(1.0, abs(best))
        cols = list(deficit.terms)
        h.addRow(-INF, best + tol - deficit.constant, len(cols), cols, [deficit.terms[j] for j in cols])
        cost = [0.0] * self.num_col
        for j, v in payoff.terms.items():
            cost[j] = v
        h.changeColsCost(self.num_col, list(range(self.num_col)), cost)
        h.changeObjectiveOffset(payoff.constant)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            return list(h.getSolution().col_value)
        return x

    def _polish(self, inst: Instance, metrics: dict, x: list, second: bool) -> list:
        """`objectives.polish_solution` on the raw HiGHS model: every binary fixed at its rounded
        value, then the least deficit and (after a second stage) the partner's best payoff at
        exactly that deficit, as LPs (always for models up to LARGE_MODEL_VARIABLES columns, else
        when a binary is off 0/1); `x` as it was if an LP does not end optimal."""
        h, deficit, payoff = self.h, metrics[inst.settings.objective_metric], metrics["partner_payoff"]
        ints = [j for j, t in enumerate(self.integrality) if int(t)]
        if all(x[j] == round(x[j]) for j in ints) and self.num_col > LARGE_MODEL_VARIABLES:
            return x
        values = [float(round(x[j])) for j in ints]
        h.changeColsIntegrality(len(ints), ints, [0] * len(ints))
        h.changeColsBounds(len(ints), ints, values, values)
        polished = x
        for objective, sense in ((deficit, highspy.ObjSense.kMinimize), (payoff, highspy.ObjSense.kMaximize)):
            cost = [0.0] * self.num_col
            for j, v in objective.terms.items():
                cost[j] = v
            h.changeColsCost(self.num_col, list(range(self.num_col)), cost)
            h.changeObjectiveOffset(objective.constant)
            h.changeObjectiveSense(sense)
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return x
            polished = list(h.getSolution().col_value)
            if objective is payoff or not second:
                break
            cols = list(deficit.terms)
            h.addRow(-INF, deficit.value(polished) - deficit.constant, len(cols), cols, [deficit.terms[j] for j in cols])
        return polished

    def _deal(self, inst: Instance, x: list) -> tuple[Deal, dict]:
        """As `highs.extract_deal`, from HiGHS column values (scaled as `inst`'s model is)."""
        return read_deal(inst, self.sets.lever_families,
                         lambda name: {k: float(x[j]) for k, j in self.columns[name].items()})

    def _rebuild(self, inst: Instance, table, refs) -> DrawResult:
        """The fallback: build and solve the Pyomo model of `inst` from scratch."""
        m = build_model(inst, table, refs)
        solver = make_solver()
        time_limit = inst.settings.time_limit
        with PYOMO_SOLVER_LOCK:
            if self.objective == "min_deficit":
                outcome = solve(solver, m, time_limit)
                if outcome.status == "optimal":
                    lexicographic_stage(solver, m, inst, time_limit)
                if outcome.has_solution:
                    polish_solution(solver, m, inst, time_limit)
            else:
                from model.optimization.objectives import solve_objective
                outcome, _ = solve_objective(solver, m, inst, refs, self.objective, time_limit)
        if not outcome.has_solution:
            return DrawResult(outcome.status, outcome.message, method="rebuild")
        deal, binaries = extract_deal(m, inst)
        return _verified(inst, table, refs, outcome.status, deal, binaries, "rebuild")


_MESSAGES = {"infeasible": "no deal satisfies every constraint", "unbounded": "the objective can improve without limit",
             "error": "HiGHS stopped without a solution", "time_limit": "time limit reached without a solution"}


def _verified(inst, table, refs, status, deal, binaries, method) -> DrawResult:
    """Every constraint re-checked in plain Python (`checks`), as `run` does."""
    metrics = evaluate(inst, deal, table)
    checks = constraint_checks(inst, deal, metrics, refs, binaries)
    violation = max_violation(checks)
    ok = violation <= VIOLATION_TOLERANCE
    message = ""
    if not ok:
        worst = max(checks, key=lambda c: c.relative_violation)
        status, message = "error", f"the solution violates {worst.name} by {violation:.2e} relative"
    return DrawResult(status, message, deal, metrics, violation, ok, method)
