"""One negotiation model per command: built once from validated data, then solved, changed and re-solved.

`NegotiationModel` is the one owner of an instance's model. It computes the option table (every
tariff option's exact response) and the references (baseline and no-deal metrics) once, builds
the Pyomo model once (`build.build_model`) and passes it to HiGHS once (`highs.HighsSolver.load`).
Everything asked of it afterwards is a change to HiGHS's copy, made through the maps the load
kept (lever -> column, constraint name -> row, metric -> its linear form over the columns) and
undone when the asking is done (`scratch`):

- levers forced to a value, or the instance's fixed levers released: column bounds;
- a metric held, capped or floored (a frontier point, a band of alternatives): an added row;
- another objective (a payoff, a red line's metric, a weighted sum): new costs;
- the LP relaxation: integrality off; a family of rows set aside: its rows' bounds opened;
- cuts, slacks and helper variables (alternatives, diagnosis, offers, Nash): added rows and columns.

Analyses speak in the instance's terms (deal fields and keys, metric names, base units) and get
plain `Solution`s back; none of them imports Pyomo or highspy.

Every solve ends with the same repair (`_polish`): the yes/no choices are fixed at their rounded
values and the amounts re-solved as LPs (the same objectives, in the same order), so that a deal's
figures never rest on a binary a hair away from 0 or 1 (HiGHS's integrality tolerance is 1e-6:
on the default instance a 4.5e-7 error had put the reported deficit $840 below the true optimum).
"""
from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyomo.environ as pyo

from model.data.instance import Deal, Instance
from model.data.levers import MONEY, LeverFamily
from model.economics.metrics import References, references
from model.economics.outcomes import option_table
from model.optimization.build import build_model, read_deal, variable_name
from model.optimization.forms import Form, form_of, without_round_off
from model.optimization.highs import (
    LARGE_MODEL_VARIABLES,
    SolveOutcome,
    highs_options,
    load_highspy,
    make_solver,
    proven_fixings,
    run,
    solver_version,
    warm_start,
)

if TYPE_CHECKING:
    from highspy import HighsRanging, HighsStatus

MIN, MAX = "min", "max"
INF = math.inf

# Large models' second stage (no time limit given) may take as long as stage one did, and at least
# STAGE_TWO_MIN_SECONDS. Its root LP is the deficit-optimal face of stage one, a slab 1e-9 thick: on
# the generated 10^6-variable instance it had not finished in 33 minutes where stage one took 3.
# Warm-started from stage one's deal, a stage two stopped by this budget still returns a deal with
# the optimal deficit; the report says that the tie-break is not proven.
STAGE_TWO_MIN_SECONDS = 60.0

# Fix, for the second stage, the binaries that stage one proves cannot move (`highs.proven_fixings`).
# Off by default: measured on generated instances, proving the fixings (an LP relaxation solve, warm
# from stage one's basis) costs more than it saves once the second MIP presolves properly (10^5
# variables: 26 s against 13.5 s for the stage; 10^4: 0.7 s against 1.3 s); see docs/performance.md.
FIX_PROVEN = False

# How far the repair's second LP may move the first objective (relative): rounding only. HiGHS's
# feasibility tolerance (1e-7 absolute, model units) keeps such a row feasible at any model size here.
POLISH_HOLD = 1e-12
EXACT = 1e-12       # a binary this close to 0 or 1, or an amount this close to 0 (model units), is exact


def stage_two_time_limit(columns: int, stage_one_seconds: float, time_limit: float | None) -> float | None:
    """The time limit of stage two: the user's, else for models over LARGE_MODEL_VARIABLES
    columns stage one's time (at least STAGE_TWO_MIN_SECONDS), else none."""
    if time_limit or columns <= LARGE_MODEL_VARIABLES:
        return time_limit
    return max(STAGE_TWO_MIN_SECONDS, stage_one_seconds)


@dataclass
class Solution:
    """One solve: its status in words and, when there is one, the deal (base units)."""

    status: str                                  # optimal, infeasible, unbounded, time_limit, error
    message: str = ""
    deal: Deal | None = None
    binaries: dict = field(default_factory=dict)  # each yes/no family's values, for the integrality check
    value: float | None = None                   # the objective's value in its base unit
    mip_gap: float | None = None
    stages: dict = field(default_factory=dict)   # how it was solved (stages, their statuses, the repair)
    x: np.ndarray | None = field(default=None, repr=False)    # HiGHS's column values

    @property
    def has_deal(self) -> bool:
        return self.deal is not None

    def column_values(self) -> np.ndarray:
        """HiGHS's column values, where the caller knows the solve found a deal (it has them then)."""
        if self.x is None:
            raise ValueError(f"this solve ({self.status}) has no column values")
        return self.x


@dataclass
class FixedLp:
    """The LP with a deal's yes/no choices fixed, minimizing the deficit: its duals and ranging."""

    status: str
    duals: dict[str, float]                      # constraint name -> d(deficit)/d(bound), base units
    ranging: tuple[HighsStatus, HighsRanging] | None = None   # raw highspy ranging (see `sensitivity.ranging`)


class LoadedModel:
    """A model held by a HiGHS object, with the maps that speak of it in the instance's terms: what
    every solve and change works on (module docstring). `NegotiationModel` is the command's own,
    built from the instance; `resolve.Resolver` makes one for each variant of the numbers."""

    def __init__(self, inst: Instance, table, refs: References, h, columns: dict, row_index: dict,
                 row_scale: dict, metric_scale: dict, forms, families: list[LeverFamily], natural: dict,
                 time_limit: float | None = None):
        self.inst, self.table, self.refs, self.h = inst, table, refs, h
        self.time_limit = time_limit or inst.settings.time_limit
        self.columns = columns            # model variable name -> index -> HiGHS column (the deal is read through these)
        self.row_index = row_index        # constraint name -> HiGHS row
        self.row_scale, self.metric_scale = row_scale, metric_scale
        self._forms = forms               # metric -> Form (a dict, or a function that compiles one)
        self.families = families
        self.by_field = {f.deal_field: f for f in families}
        self.objective_metric = inst.settings.objective_metric
        lp = h.getLp()
        self.col_lower = np.asarray(lp.col_lower_, dtype=float)
        self.col_upper = np.asarray(lp.col_upper_, dtype=float)
        self.integer = np.array([int(t) for t in lp.integrality_], dtype=np.uint8) if len(lp.integrality_) \
            else np.zeros(lp.num_col_, dtype=np.uint8)
        self.row_lower = np.asarray(lp.row_lower_, dtype=float)
        self.row_upper = np.asarray(lp.row_upper_, dtype=float)
        self._natural = natural           # column -> its bounds were the instance not to fix it
        self._released: set = set()
        self._cache: dict[str, Form] = {}

    # -- the model's pieces --------------------------------------------------------------
    @property
    def num_columns(self) -> int:
        return len(self.col_lower)

    def form(self, metric: str) -> Form:
        """A metric (or payoff) as a linear form over the columns, in its model unit."""
        if metric not in self._cache:
            self._cache[metric] = form_of(self._forms[metric] if isinstance(self._forms, dict)
                                          else self._forms(metric))
        return self._cache[metric]

    def scale(self, metric: str) -> float:
        """Base units per model unit of a metric."""
        return self.metric_scale[metric]

    def value(self, metric: str, solution: Solution) -> float:
        """A metric at a solution, in base units (the solver's figure; verification uses `evaluate`)."""
        return self.form(metric).value(solution.x) * self.scale(metric)

    def lever_columns(self, family: LeverFamily, key) -> dict:
        """A lever's columns: option -> column for an option family, else {None: column}."""
        cols = self.columns[variable_name(family)]
        if family.kind == "option":
            return {o: cols[key, o] for o in family.options(self.inst, key)}
        return {None: cols[key]}

    def is_fixed_by_instance(self, family: LeverFamily, key) -> bool:
        """The instance fixes this lever, and `free_terms` has not released it."""
        return key in self.inst.fixed.values(family.deal_field) and (family.deal_field, key) not in self._released

    # -- changes, undone on leaving `scratch` --------------------------------------------------
    @contextmanager
    def scratch(self) -> Iterator[LoadedModel]:
        """Everything changed inside (bounds, rows, columns, integrality) is undone on leaving."""
        state = (self.h.getNumRow(), self.num_columns, self.col_lower.copy(), self.col_upper.copy(),
                 self.integer.copy(), self.row_lower.copy(), self.row_upper.copy(), set(self._released))
        try:
            yield self
        finally:
            self._restore(state)

    def _restore(self, state) -> None:
        rows, cols, lower, upper, integer, row_lower, row_upper, released = state
        h = self.h
        if h.getNumRow() > rows:
            extra = np.arange(rows, h.getNumRow(), dtype=np.int32)
            h.deleteRows(len(extra), extra)
        if self.num_columns > cols:
            extra = np.arange(cols, self.num_columns, dtype=np.int32)
            h.deleteCols(len(extra), extra)
        self.col_lower, self.col_upper = self.col_lower[:cols], self.col_upper[:cols]
        self.integer, self.row_lower, self.row_upper = self.integer[:cols], self.row_lower[:rows], self.row_upper[:rows]
        moved = np.flatnonzero((self.col_lower != lower) | (self.col_upper != upper)).astype(np.int32)
        if moved.size:
            self.set_column_bounds(moved, lower[moved], upper[moved])
        flipped = np.flatnonzero(self.integer != integer).astype(np.int32)
        if flipped.size:
            self.set_integrality(flipped, integer[flipped])
        opened = np.flatnonzero((self.row_lower != row_lower) | (self.row_upper != row_upper)).astype(np.int32)
        if opened.size:
            self.set_row_bounds(opened, row_lower[opened], row_upper[opened])
        self._released = released
        h.clearSolver()

    def set_column_bounds(self, cols, lower, upper) -> None:
        cols = np.asarray(cols, dtype=np.int32)
        lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
        self.col_lower[cols], self.col_upper[cols] = lower, upper
        self.h.changeColsBounds(len(cols), cols, lower, upper)

    def set_integrality(self, cols, flags) -> None:
        cols = np.asarray(cols, dtype=np.int32)
        flags = np.asarray(flags, dtype=np.uint8)
        self.integer[cols] = flags
        self.h.changeColsIntegrality(len(cols), cols, flags)

    def set_row_bounds(self, rows, lower, upper) -> None:
        rows = np.asarray(rows, dtype=np.int32)
        lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
        self.row_lower[rows], self.row_upper[rows] = lower, upper
        self.h.changeRowsBounds(len(rows), rows, lower, upper)

    def add_columns(self, n: int, lower: float = 0.0, upper: float = INF, integer: bool = False) -> list[int]:
        """`n` new columns (no cost, in no row yet); their numbers."""
        start = self.num_columns
        lo, up = np.full(n, lower), np.full(n, upper)
        self.h.addVars(n, lo, up)
        self.col_lower, self.col_upper = np.concatenate([self.col_lower, lo]), np.concatenate([self.col_upper, up])
        self.integer = np.concatenate([self.integer, np.full(n, 1 if integer else 0, dtype=np.uint8)])
        cols = list(range(start, start + n))
        if integer:
            self.h.changeColsIntegrality(n, np.array(cols, dtype=np.int32), np.ones(n, dtype=np.uint8))
        return cols

    def add_row(self, form: Form, sense: str, rhs: float) -> int:
        """The row `form sense rhs` (model units); its number."""
        form = without_round_off(form_of(form))      # HiGHS would drop round-off terms, with a warning
        bound = rhs - form.constant
        lower, upper = {"<=": (-INF, bound), ">=": (bound, INF), "==": (bound, bound)}[sense]
        cols, coefs = form.arrays()
        self.h.addRow(lower, upper, len(cols), cols, coefs)
        self.row_lower = np.append(self.row_lower, lower)
        self.row_upper = np.append(self.row_upper, upper)
        return len(self.row_lower) - 1

    def add_to_row(self, row: int, col: int, coefficient: float) -> None:
        self.h.changeCoeff(row, col, coefficient)

    # -- changes in the instance's terms --------------------------------------------------------
    def free_levers(self, values: dict[str, dict]):
        """(family, key, value) for each lever in `values` ({deal field: {key: value}}) that the
        instance does not fix: those keep the instance's value whatever is asked."""
        for deal_field, per_key in values.items():
            f = self.by_field[deal_field]
            for key, value in per_key.items():
                if not self.is_fixed_by_instance(f, key):
                    yield f, key, value

    def force(self, values: dict[str, dict]) -> None:
        """Fix levers at the values given ({deal field: {key: value}}, base units; an option
        family's value is the option's name) until the enclosing `scratch` ends."""
        cols, bounds = [], []
        for f, key, value in self.free_levers(values):
            for option, j in self.lever_columns(f, key).items():
                if f.kind == "option":
                    v = 1.0 if option == value else 0.0
                elif f.kind == "switch":
                    v = 1.0 if value else 0.0
                else:
                    v = value / f.scale(self.inst, key)
                cols.append(j)
                bounds.append(v)
        if cols:
            self.set_column_bounds(cols, bounds, bounds)

    @contextmanager
    def forced(self, values: dict[str, dict]) -> Iterator[LoadedModel]:
        with self.scratch():
            self.force(values)
            yield self

    def release_fixed_terms(self, only: set | None = None) -> None:
        """Free the levers the instance fixes ({(deal field, key)}, default all) until the
        enclosing `scratch` ends: the free negotiation."""
        cols, lower, upper = [], [], []
        for f in self.families:
            for key in self.inst.fixed.values(f.deal_field):
                if only is not None and (f.deal_field, key) not in only:
                    continue
                self._released.add((f.deal_field, key))
                for j in self.lever_columns(f, key).values():
                    lo, up = self._natural[j]
                    cols.append(j)
                    lower.append(lo)
                    upper.append(up)
        if cols:
            self.set_column_bounds(cols, lower, upper)

    @contextmanager
    def free_terms(self, only: set | None = None) -> Iterator[LoadedModel]:
        with self.scratch():
            self.release_fixed_terms(only)
            yield self

    def bound(self, metric: str, sense: str, value: float) -> int:
        """`metric sense value` (base units) as a row, until the enclosing `scratch` ends."""
        return self.add_row(self.form(metric), sense, value / self.scale(metric))

    @contextmanager
    def bounded(self, metric: str, sense: str, value: float) -> Iterator[LoadedModel]:
        with self.scratch():
            self.bound(metric, sense, value)
            yield self

    def relax_integrality(self) -> None:
        """The LP relaxation (yes/no choices between 0 and 1), until the enclosing `scratch` ends."""
        ints = np.flatnonzero(self.integer)
        if ints.size:
            self.set_integrality(ints, np.zeros(ints.size))

    def open_rows(self, families: tuple[str, ...]) -> None:
        """Set aside every row of the named constraint families (their bounds opened)."""
        rows = [i for name, i in self.row_index.items() if name.split("[")[0] in families]
        if rows:
            self.set_row_bounds(rows, np.full(len(rows), -INF), np.full(len(rows), INF))

    def open_named(self, names: list[str]) -> None:
        """Set aside the named rows (their bounds opened), until the enclosing `scratch` ends."""
        rows = [self.row_index[n] for n in names if n in self.row_index]
        if rows:
            self.set_row_bounds(rows, np.full(len(rows), -INF), np.full(len(rows), INF))

    def row(self, name: str) -> int | None:
        """The HiGHS row of a named constraint (None when the build left it out: no variables)."""
        return self.row_index.get(name)

    def row_has_upper(self, row: int) -> bool:
        return self.row_upper[row] < INF

    # -- solving ----------------------------------------------------------------------------
    def set_objective(self, target, sense: str) -> Form:
        """Make a metric (by name) or a Form the objective, maximized or minimized."""
        highspy = load_highspy()
        form = self.form(target) if isinstance(target, str) else form_of(target)
        cost = np.zeros(self.num_columns)
        for j, c in form.terms.items():
            cost[j] += c
        h = self.h
        h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        h.changeObjectiveOffset(form.constant)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if sense == MAX else highspy.ObjSense.kMinimize)
        return form

    def run(self, time_limit: float | None = None, start: np.ndarray | None = None) -> SolveOutcome:
        """HiGHS on the model as it stands (a MIP starts without a stale basis, so that it presolves)."""
        if self.integer.any():
            self.h.clearSolver()
        if start is not None:
            warm_start(self.h, start)
        return run(self.h, time_limit if time_limit is not None else self.time_limit)

    def tolerance(self, value: float) -> float:
        """How far a held objective may move (model units): the instance's lexicographic tolerance."""
        return self.inst.settings.lexicographic_tolerance * max(1.0, abs(value))

    def solve(self, time_limit: float | None = None) -> Solution:
        """The instance's `min_deficit`: least deficit, then best for the partner at it (in the
        measure its participation uses: payoff or welfare)."""
        return self.lexicographic((self.objective_metric, MIN), (self.inst.settings.measure("partner"), MAX),
                                  time_limit)

    def optimize(self, target, sense: str, time_limit: float | None = None) -> Solution:
        """One objective (a metric's name or a Form), then the repair of `_polish`."""
        return self.lexicographic((target, sense), None, time_limit)

    def lexicographic(self, first: tuple, second: tuple | None, time_limit: float | None = None) -> Solution:
        """Optimize `first` (target, sense); holding it to the instance's tolerance, optimize `second`;
        then repair the solution (`_polish`). A stage two that stops without a solution keeps
        stage one's; one stopped by its time limit keeps the best it found, which holds stage one's
        optimum (the report says the tie-break is not proven)."""
        limit = time_limit if time_limit is not None else self.time_limit
        t0 = time.perf_counter()
        f1 = self.set_objective(*first)
        one = self.run(limit)
        stages: dict = {"stage_one_seconds": time.perf_counter() - t0}
        if not one.has_solution or one.x is None:
            return Solution(one.status, one.message, mip_gap=one.mip_gap, stages=stages)
        x: np.ndarray = one.x
        if one.status == "optimal" and second is not None:
            best = f1.value(x)
            held = best + self.tolerance(best) if first[1] == MIN else best - self.tolerance(best)
            limit2 = stage_two_time_limit(self.num_columns, stages["stage_one_seconds"], time_limit or self.time_limit)
            t1 = time.perf_counter()
            with self.scratch():
                start = np.array(x)
                fixed = proven_fixings(self.h, x, held, limit2) if FIX_PROVEN and first[1] == MIN else {}
                if fixed:
                    cols = np.fromiter(fixed, dtype=np.int32)
                    at = np.array([fixed[j][0] for j in cols.tolist()])
                    self.set_column_bounds(cols, at, at)
                    start[cols] = at
                self.add_row(f1, "<=" if first[1] == MIN else ">=", held)
                self.set_objective(*second)
                two = self.run(limit2, start=start)
            stages.update(stage_one_value=best, stage_two_status=two.status, stage_two_time_limit=limit2,
                          stage_two_fixed=len(fixed), stage_two_seconds=time.perf_counter() - t1)
            if two.has_solution and two.x is not None:
                x = two.x
        return self.finish(one, x, first, second, limit, stages)

    def finish(self, outcome: SolveOutcome, x: np.ndarray, first: tuple, second: tuple | None = None,
               time_limit: float | None = None, stages: dict | None = None) -> Solution:
        """The Solution of a solve whose final column values are `x`: repaired (`_polish`), read back."""
        stages = dict(stages or {})
        x, repair = self._polish(x, first, second, time_limit if time_limit is not None else self.time_limit)
        stages.update(repair)
        form = self.set_objective(*first)
        deal, binaries = self.read(x)
        scale = self.scale(first[0]) if isinstance(first[0], str) else 1.0
        return Solution(outcome.status, outcome.message, deal, binaries, form.value(x) * scale, outcome.mip_gap,
                        stages, x)

    def _polish(self, x: np.ndarray, first: tuple, second: tuple | None, limit) -> tuple[np.ndarray, dict]:
        """The yes/no choices fixed at their rounded values; the amounts re-solved as LPs on the same
        objectives (first, then second with first held): the deal's figures then rest on exact
        choices. If that LP fails (it should not), the MIP's solution is kept and the reason said."""
        ints = np.flatnonzero(self.integer)
        if not ints.size:
            return x, {}
        rounded = np.round(x[ints])
        off = float(np.max(np.abs(x[ints] - rounded)))
        if off <= EXACT and not self._noise(x).size and self.num_columns > LARGE_MODEL_VARIABLES:
            # Exact choices and no noise on a large model: the LPs would cost more than they can change.
            # Small models are always repaired: a MIP solution may also sit inside HiGHS's feasibility
            # tolerance past a bound (6e-6 of a vehicle over a ceiling, seen), which the LP vertex does not.
            return x, {"integrality_error": 0.0}
        with self.scratch():
            self.set_integrality(ints, np.zeros(ints.size))
            self.set_column_bounds(ints, rounded, rounded)
            f1 = self.set_objective(*first)
            one = self.run(limit)
            if one.status != "optimal" or one.x is None:
                return x, {"repair": f"not repaired: the LP with the choices fixed ended {one.status}",
                           "integrality_error": off}
            y: np.ndarray = one.x
            if second is not None:
                # Held to rounding only: the MIP's tie-break has spent the instance's tolerance already
                # (choosing the yes/no choices); spent again here it buys only a hundredth of a vehicle.
                best = f1.value(y)
                hold = POLISH_HOLD * max(1.0, abs(best))
                self.add_row(f1, "<=" if first[1] == MIN else ">=", best + hold if first[1] == MIN else best - hold)
                self.set_objective(*second)
                two = self.run(limit, start=y)
                if two.status == "optimal" and two.x is not None:
                    y = two.x
            # Amounts below the noise threshold (the tie-break's slack buys a hundredth of a vehicle) are
            # not part of a deal: set them to zero and re-solve, so the deal read back is this LP's optimum.
            small = self._noise(y)
            if small.size:
                self.set_column_bounds(small, np.zeros(small.size), np.zeros(small.size))
                three = self.run(limit, start=y)
                if three.status == "optimal" and three.x is not None:
                    y = three.x
        y[ints] = rounded
        return y, {"repair": "choices fixed at their rounded values, amounts re-solved", "integrality_error": off}

    def _noise(self, x: np.ndarray) -> np.ndarray:
        """Columns of amounts above zero but below the instance's noise threshold (each lever's own unit)."""
        threshold = self.inst.settings.noise_threshold
        small = [j for f in self.families if f.kind == "quantity"
                 for key, j in self.columns[variable_name(f)].items()
                 if EXACT < abs(x[j]) and abs(x[j]) * f.scale(self.inst, key) < threshold]
        return np.asarray(small, dtype=np.int32)

    def read(self, x: np.ndarray, threshold: float | None = None) -> tuple[Deal, dict]:
        """The deal (base units) at column values `x`, and each yes/no family's raw values; amounts
        below the instance's noise threshold read as zero (see `build.read_deal`)."""
        return read_deal(self.inst, self.families,
                         lambda name: {k: float(x[j]) for k, j in self.columns[name].items()}, threshold)

    def fixed_lp(self, solution: Solution) -> FixedLp:
        """The LP with the solution's yes/no choices fixed, minimizing the deficit: each row's dual
        in base units (USD of deficit per unit of its bound) and HiGHS's ranging."""
        ints = np.flatnonzero(self.integer)
        assert solution.x is not None, "the fixed LP needs a solution"
        with self.scratch():
            if ints.size:
                at = np.round(solution.x[ints])
                self.set_integrality(ints, np.zeros(ints.size))
                self.set_column_bounds(ints, at, at)
            self.set_objective(self.objective_metric, MIN)
            self.h.clearSolver()              # a stale basis would make HiGHS skip presolve
            out = run(self.h)
            if out.status != "optimal":
                return FixedLp(out.status, {})
            row_dual = self.h.getSolution().row_dual
            scale = self.scale(self.objective_metric)
            duals = {name: row_dual[i] * scale / self.row_scale[name] for name, i in self.row_index.items()}
            try:
                ranging = self.h.getRanging()
            except Exception:  # ranging is an extra; its absence must not fail a solve
                ranging = None
            return FixedLp("optimal", duals, ranging)

class NegotiationModel(LoadedModel):
    """The command's model: option table, references, Pyomo model and HiGHS's copy, each made once."""

    builds = 0          # models built in this process: a test counts one per command

    def __init__(self, inst: Instance, time_limit: float | None = None):
        NegotiationModel.builds += 1
        t0 = time.perf_counter()
        table = option_table(inst)
        refs = references(inst, table)
        self.m = m = build_model(inst, table, refs)
        self.build_seconds = time.perf_counter() - t0
        col_of, rows, natural = self._load(m)
        columns = {var.local_name: {i: col_of[id(v)] for i, v in var.items()} for var in m.component_objects(pyo.Var)}
        super().__init__(inst, table, refs, self.solver.h, columns, rows, dict(m.row_scale), dict(m.metric_scale),
                         self._compile, m.lever_families, natural, time_limit)

    def _load(self, m) -> tuple[dict, dict, dict]:
        """Pass the built Pyomo model to HiGHS (timed as `load_seconds`): the column of each variable,
        the row of each named constraint, and the natural bounds of the levers the instance fixes
        (restored when a re-solve releases them)."""
        t0 = time.perf_counter()
        self.solver = solver = make_solver()
        solver.load(m)
        self.load_seconds = time.perf_counter() - t0
        self.version = solver_version(solver)
        self.coefficients = solver.coefficients
        col_of = solver.col_of
        rows = {name: solver.row_of[con] for name, con in m.row_info.items() if con in solver.row_of}
        self._fixed_vars = [v for v in m.component_data_objects(pyo.Var) if v.fixed]
        return col_of, rows, {col_of[id(v)]: _bounds(v) for v in self._fixed_vars}

    def _compile(self, metric: str) -> Form:
        """A metric's Pyomo expression as a Form (Pyomo's linear walker over the loaded columns). The
        levers the instance fixes are unfixed while walking, as for the load: the walker would
        otherwise fold them into the constant, and releasing them could not reach the metric."""
        for v in self._fixed_vars:
            v.unfix()
        try:
            cols, coefs, constant = self.solver.linear(self._expression(metric))
        finally:
            for v in self._fixed_vars:
                v.fix()
        terms: dict[int, float] = {}
        for j, c in zip(cols.tolist(), coefs.tolist()):
            terms[j] = terms.get(j, 0.0) + c
        return Form(terms, constant)

    def _expression(self, metric: str):
        """The metric's Pyomo expression (a multi-year model also names a year's or a sum's)."""
        return self.m.metric[metric].expr

    def solver_info(self) -> dict:
        """What the report says about the solver: name, version, gap targets, threads."""
        used = highs_options(self.num_columns)
        return {"name": "HiGHS", "version": self.version, "mip_rel_gap_target": used["mip_rel_gap"],
                "mip_abs_gap_target": used["mip_abs_gap"] * MONEY, "threads": used["threads"]}

    def write_lp(self, path: str | Path) -> None:
        """The first-stage (deficit-minimizing) model in CPLEX LP format, from Pyomo; objective in
        USD million."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        self.m.write(str(tmp), format="lp", io_options={"symbolic_solver_labels": True})
        text = tmp.read_text()
        header = ("\\ Deficit-minimizing first stage of the negotiation model.\n"
                  "\\ Objective unit: USD million (the reported deal deficit / 1e6); vehicles in thousands.\n")
        tmp.write_text(header + text)
        tmp.replace(path)



def _bounds(v) -> tuple[float, float]:
    lb, ub = v.bounds
    return (-INF if lb is None else float(lb), INF if ub is None else float(ub))
