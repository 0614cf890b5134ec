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
from collections.abc import Collection
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo

from model.data.instance import Deal, Instance
from model.economics.checks import VIOLATION_TOLERANCE, constraint_checks, max_violation
from model.economics.metrics import evaluate, references
from model.economics.outcomes import option_table
from model.optimization.build import metric_expressions, row_families
from model.optimization.forms import Columns, Form, linear_form
from model.optimization.handle import MIN, LoadedModel, NegotiationModel
from model.optimization.highs import _new_highs, highs_options, load_highspy
from model.optimization.objectives import solve_objective

if TYPE_CHECKING:
    from highspy import HighsLp

highspy = load_highspy()       # SolverUnavailable (exit 6), not a traceback, when HiGHS cannot be loaded
INF = highspy.kHighsInf
COEF_TOLERANCE = 1e-9     # HiGHS drops matrix entries this small (its small_matrix_value)
NOT_RESOLVED = "not_resolved"     # `Resolver.solve(..., rebuild=False)`: the draw would need a rebuild


def _row(lhs, sense: str, rhs) -> tuple[Form | float, str]:
    """`lhs sense rhs` as (form, sense) with form = body - bound, normalized as Pyomo does: a
    constant on the left and variables on the right make `rhs reversed-sense lhs`."""
    if not isinstance(lhs, Form) and isinstance(rhs, Form):
        return rhs - lhs, {"<=": ">=", ">=": "<=", "==": "=="}[sense]
    return lhs - rhs, sense


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
    walks_away: tuple[str, str] | None = None    # a draw without a deal, rebuilt: (who, by), when it was tested


class Resolver:
    """One instance's model, built once (the command's `NegotiationModel`), re-solved for other
    values of its numbers on a HiGHS object of its own (the handle's copy stays the base model)."""

    def __init__(self, model: NegotiationModel):
        inst = model.inst
        self.base, self.model = inst, model
        self.objective = inst.settings.objective
        self.method, self.reason = "re-solve", ""
        if self.objective != "min_deficit":
            self._fallback(f"the '{self.objective}' objective is solved by model.objectives")
            return
        m = model.m
        if hasattr(m, "constant_zero"):
            self._fallback("the base model keeps a row that no lever can satisfy")
            return
        self.h = _new_highs()
        self.h.passModel(model.h.getLp())
        self.options = highs_options(self.h.getNumCol(), inst.settings.time_limit)
        for k, v in self.options.items():
            self.h.setOptionValue(k, v)
        self.columns = model.columns
        self.sets = SimpleNamespace(
            **{c.local_name: list(c) for c in m.component_objects(pyo.Set, descend_into=False)},
            index_maps=m.index_maps, lever_families=m.lever_families,
            lever_families_by_name=m.lever_families_by_name,
            **{name: Columns(cols) for name, cols in self.columns.items()})
        self.rows = [(con.parent_component().local_name, con.index()) for con in model.solver.rows]
        lp = self.h.getLp()
        self.num_col = lp.num_col_
        self.col_lower, self.col_upper = list(lp.col_lower_), list(lp.col_upper_)
        self.integrality = list(lp.integrality_)
        problem = self._self_check(lp, inst, model.table, model.refs)
        if problem:
            self._fallback(f"derived rows differ from the built model ({problem})")

    def _fallback(self, reason: str) -> None:
        self.method, self.reason = "rebuild", reason

    # -- the model's numbers for an instance -------------------------------------
    def _forms(self, inst: Instance, table, refs) -> tuple[tuple[dict, dict], dict[tuple[str, Any], tuple[Form, str]],
                                                          list[str]]:
        """The metrics, and each row as (lhs - rhs form, sense), for `inst`, from the build's own
        metric code and row generators; plus the rows with no variables that do not hold (the
        built model would keep them: structure changes)."""
        s = self.sets
        metrics, scale = metric_expressions(s, inst, table, linear=linear_form)
        generated: dict[tuple[str, Any], tuple[Form | float, str]] = {}
        for name, generate in row_families(s):
            for index, lhs, sense, rhs, _ in generate(s, inst, table, refs, metrics, linear_form):
                generated[name, index] = _row(lhs, sense, rhs)
        rows: dict[tuple[str, Any], tuple[Form, str]] = {}
        broken = []
        for key, (form, sense) in generated.items():
            c = form.constant if isinstance(form, Form) else form
            if math.isinf(c):                  # an 'unlimited' bound: `build` adds no row
                continue
            if not isinstance(form, Form) or not form.terms:
                # no variables: `build` skips it if it holds
                if not (c <= 0 if sense == "<=" else c >= 0 if sense == ">=" else c == 0):
                    broken.append(f"{key[0]}[{key[1]}]")
                continue
            rows[key] = form, sense
        if hasattr(self, "row_keys") and set(rows) != self.row_keys:
            broken.append("rows appear or disappear")     # e.g. an 'unlimited' capacity made finite
        return (metrics, scale), rows, broken

    @staticmethod
    def _bounds(form: Form, sense: str) -> tuple[float, float]:
        c = -form.constant
        return (-INF, c) if sense == "<=" else (c, INF) if sense == ">=" else (c, c)

    def _self_check(self, lp, inst, table, refs) -> str:
        """'' if the derived model for the base instance is the one Pyomo loaded; else what differs."""
        (metrics, _), rows, _ = self._forms(inst, table, refs)
        mat = lp.a_matrix_
        # Each attribute read copies the whole array out of HiGHS: read each once.
        start, index, value = list(mat.start_), list(mat.index_), list(mat.value_)
        row_lower, row_upper = list(lp.row_lower_), list(lp.row_upper_)
        loaded: list[dict[int, float]] = [{} for _ in range(lp.num_row_)]
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
        for name in (inst.settings.objective_metric, inst.settings.measure("partner")):     # the two stages' objectives
            derived, built = metrics[name], self.model.form(name)
            keys = {j for j, v in derived.terms.items() if v} | {j for j, v in built.terms.items() if v}
            if any(differ(derived.terms.get(j, 0.0), built.terms.get(j, 0.0)) for j in keys) \
                    or differ(derived.constant, built.constant):
                return f"the metric {name}"
        return ""

    # -- solving a draw ----------------------------------------------------------
    def solve(self, inst: Instance, rebuild: bool = True) -> DrawResult:
        """Solve `inst` (the base instance with other numbers) as `run` does, and verify the deal.
        `rebuild=False`: a draw the built model cannot take is not solved but returned with
        status NOT_RESOLVED and the reason as its message (method 'rebuild')."""
        table = option_table(inst)
        refs = references(inst, table)
        if self.method == "rebuild":
            if not rebuild:
                return DrawResult(NOT_RESOLVED, self.reason, method="rebuild")
            return self._rebuild(inst, table, refs)
        (metrics, scale), rows, broken = self._forms(inst, table, refs)
        if broken:
            if not rebuild:
                return DrawResult(NOT_RESOLVED, "the built model would change: " + ", ".join(broken[:3]),
                                  method="rebuild")
            return self._rebuild(inst, table, refs)
        self.h.passModel(self._lp(rows, metrics[inst.settings.objective_metric]))
        base = self.model
        variant = LoadedModel(inst, table, refs, self.h, self.columns, base.row_index, base.row_scale, scale,
                              metrics, base.families, {}, inst.settings.time_limit)
        solution = variant.solve()
        if not solution.has_deal:
            return DrawResult(solution.status, solution.message or _MESSAGES.get(solution.status, ""),
                              method="re-solve")
        return _verified(inst, table, refs, solution.status, solution.deal, solution.binaries, "re-solve")

    def deal_without(self, inst: Instance, free: set[tuple[str, object]]) -> bool | None:
        """Whether `inst` has a deal once the rows named in `free` ((family, index), e.g.
        ('red_line', 'us_floor') or ('participation', 'home')) no longer bind: their bounds are
        made infinite in the same re-solve (an unbounded solve counts as a deal: one exists).
        None when the draw cannot be re-solved on the built model (the rebuild path)."""
        if self.method == "rebuild":
            return None
        table = option_table(inst)
        refs = references(inst, table)
        (metrics, scale), rows, broken = self._forms(inst, table, refs)
        if broken:
            return None
        self.h.passModel(self._lp(rows, metrics[inst.settings.objective_metric], free))
        base = self.model
        variant = LoadedModel(inst, table, refs, self.h, self.columns, base.row_index, base.row_scale, scale,
                              metrics, base.families, {}, inst.settings.time_limit)
        solution = variant.optimize(inst.settings.objective_metric, MIN)     # whether, not which: stage one
        return solution.has_deal or solution.status == "unbounded"

    def _lp(self, rows: dict[tuple[str, Any], tuple[Form, str]], objective: Form,
            free: Collection[tuple[str, object]] = ()) -> HighsLp:
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
            lo, up = (-INF, INF) if key in free else self._bounds(form, sense)
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

    def _rebuild(self, inst: Instance, table, refs) -> DrawResult:
        """The fallback: build and solve a model of `inst` from scratch."""
        model = NegotiationModel(inst)
        solution = solve_objective(model, self.objective)
        if not solution.has_deal:
            return DrawResult(solution.status, solution.message, method="rebuild")
        return _verified(inst, model.table, model.refs, solution.status, solution.deal, solution.binaries, "rebuild")


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
