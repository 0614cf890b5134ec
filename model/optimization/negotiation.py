"""Many related solves on one built model, for the negotiation analyses: levers forced to a
value, packages cut off, payoff floors, a band on the deficit, and the smallest change to a
set of levers. The analyses (`analyses.alternatives`, `analyses.concessions`,
`analyses.offers`) say what to solve; this module is the Pyomo side of it, and hands back
deals in base units. Verification stays with the caller (`economics.checks`).

Every solve is the lexicographic `min_deficit` of `run` (stage one: least deficit; stage
two: best for the partner at that deficit, to the instance's tolerance) unless a method
says otherwise, so a package, a forced deal or a completion is the deal `run` would give
under the same extra rows. The model is built once and re-solved through Pyomo's
persistent HiGHS interface: fixing a lever is a bound change, a cut is one added row.

Levers are read from the lever-family table (`data.levers`) and addressed by
(deal field, key) as `Deal` holds them, so no family is named here. An option family (one
option per line) is fixed by its line's binaries; a switch by its binary; a quantity in its
model unit (`LeverFamily.scale`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pyomo.environ as pyo

from model.data.instance import Deal, Instance
from model.data.levers import MONEY, LeverFamily
from model.economics.metrics import references
from model.economics.responses import option_table
from model.optimization.build import build_model, variable_keys, variable_name
from model.optimization.highs import extract_deal, make_solver, warm_start
from model.optimization.highs import solve as solve_synced

UNLIMITED_BIG_M = 1e4      # model units: the reach of a big-M row on a lever with no upper limit


@dataclass
class Solution:
    """One solve: status in words, and the deal (base units) when there is one."""

    status: str                                 # optimal, infeasible, unbounded, time_limit, error
    deal: Deal | None = None
    binaries: dict = field(default_factory=dict)
    message: str = ""
    value: float | None = None                  # the objective's value, where a method has its own

    @property
    def has_deal(self) -> bool:
        return self.deal is not None


class LeverModel:
    """One instance's model, built once, for solves with levers forced, cut off or bounded."""

    def __init__(self, inst: Instance, time_limit: float | None = None):
        self.inst = inst
        self.table = option_table(inst)
        self.refs = references(inst, self.table)
        self.m = m = build_model(inst, self.table, self.refs, objective="min_deficit")
        self.solver = make_solver()
        self.time_limit = time_limit or inst.settings.time_limit
        self.families = {f.deal_field: f for f in m.lever_families}
        deficit, partner = m.metric["deficit"], m.metric["partner_payoff"]
        # Stage two of the lexicographic objective: hold the deficit, maximize the partner's payoff.
        m.neg_keep = pyo.Param(mutable=True, initialize=0.0)
        m.neg_keep_deficit = pyo.Constraint(expr=deficit <= m.neg_keep)
        m.neg_keep_deficit.deactivate()
        m.neg_partner = pyo.Objective(expr=partner, sense=pyo.maximize)
        m.neg_partner.deactivate()
        # A band on the deficit (alternatives: within a share of the optimum).
        m.neg_band = pyo.Param(mutable=True, initialize=0.0)
        m.neg_deficit_band = pyo.Constraint(expr=deficit <= m.neg_band)
        m.neg_deficit_band.deactivate()
        # Payoff floors (an offer's completion: no side worse off than the offer as stated).
        m.NEG_PARTIES = pyo.Set(initialize=["home", "partner"], ordered=True)
        m.neg_floor = pyo.Param(m.NEG_PARTIES, mutable=True, initialize=0.0)
        m.neg_payoff_floor = pyo.Constraint(m.NEG_PARTIES, rule=lambda m, p: m.metric[f"{p}_payoff"] >= m.neg_floor[p])
        m.neg_payoff_floor.deactivate()
        # Cuts that keep packages apart, with their own yes/no variables.
        m.neg_cuts = pyo.ConstraintList()
        m.neg_cut_switch = pyo.VarList(domain=pyo.Binary)
        self._forced: list = []
        self.cuts = 0

    # -- levers ------------------------------------------------------------------
    def variable(self, family: LeverFamily):
        return getattr(self.m, variable_name(family))

    def option_binaries(self, family: LeverFamily, line) -> dict:
        """An option family's binaries on one line: option -> variable."""
        var = self.variable(family)
        return {o: var[ln, o] for ln, o in variable_keys(self.m, self.inst, family) if ln == line}

    def is_fixed_by_instance(self, family: LeverFamily, key) -> bool:
        return key in self.inst.fixed.values(family.deal_field)

    def free_levers(self, values: dict[str, dict]):
        """(family, key, value) for each lever in `values` ({deal field: {key: value}}) that
        the instance does not fix: those keep the instance's value whatever is asked."""
        for deal_field, per_key in values.items():
            f = self.families[deal_field]
            for key, value in per_key.items():
                if not self.is_fixed_by_instance(f, key):
                    yield f, key, value

    def force(self, values: dict[str, dict]) -> None:
        """Fix levers at the values given ({deal field: {key: value}}, base units; an option
        family's value is the option's name) until `release`. Levers the instance fixes keep
        their values."""
        for f, key, value in self.free_levers(values):
            if f.kind == "option":
                for o, v in self.option_binaries(f, key).items():
                    self._fix(v, 1.0 if o == value else 0.0)
            elif f.kind == "switch":
                self._fix(self.variable(f)[key], 1.0 if value else 0.0)
            else:
                self._fix(self.variable(f)[key], value / f.scale(self.inst, key))

    def _fix(self, var, value: float) -> None:
        var.fix(value)
        self._forced.append(var)

    def release(self) -> None:
        """Undo every `force`."""
        for var in self._forced:
            var.unfix()
        self._forced = []

    # -- solving -----------------------------------------------------------------
    def solve_lexicographic(self) -> Solution:
        """Least deficit; then, holding it to the instance's tolerance, best for the partner."""
        m = self.m
        self._only_objective(m.objective)
        first = solve(self.solver, m, self.time_limit)
        if not first.has_solution:
            return Solution(first.status, message=first.message)
        if first.status == "optimal" and self.cuts:
            self._polish()                        # an exact deficit to hold in stage two
        if first.status == "optimal":
            best = pyo.value(m.metric["deficit"])
            m.neg_keep.set_value(best + self.inst.settings.lexicographic_tolerance * max(1.0, abs(best)))
            m.neg_keep_deficit.activate()
            self._only_objective(m.neg_partner)
            warm_start(self.solver)               # stage one's deal is feasible here
            second = solve(self.solver, m, self.time_limit)
            if second.has_solution and self.cuts:
                self._polish()
            m.neg_keep_deficit.deactivate()
            self._only_objective(m.objective)
            if not second.has_solution:           # keep stage one's deal (re-solve to load it)
                solve(self.solver, m, self.time_limit)
        deal, binaries = extract_deal(m, self.inst)
        return Solution(first.status, deal, binaries, first.message)

    def _polish(self) -> None:
        """Re-solve the LP with every yes/no variable fixed at its rounded value. The big-M rows
        of the cuts let a MIP solution sit within HiGHS's integrality tolerance of a choice,
        which can leave an amount a hair below zero; the LP's vertex puts it back on its bound."""
        binaries = [v for v in self.m.component_data_objects(pyo.Var) if v.is_binary() and not v.fixed]
        for v in binaries:
            v.fix(round(pyo.value(v)))
        try:
            solve(self.solver, self.m, self.time_limit)
        finally:
            for v in binaries:
                v.unfix()

    def _drop(self, *names: str) -> None:
        """Remove components added for one solve (and the index sets Pyomo made for them)."""
        for name in names:
            for n in (name, f"{name}_index"):
                if hasattr(self.m, n):
                    self.m.del_component(n)

    def _only_objective(self, objective) -> None:
        for o in self.m.component_data_objects(pyo.Objective, active=True):
            o.deactivate()
        objective.activate()

    def set_deficit_band(self, cap: float | None) -> None:
        """Deficit <= cap (base units, USD); None removes the band."""
        if cap is None:
            self.m.neg_deficit_band.deactivate()
            return
        self.m.neg_band.set_value(cap / MONEY)
        self.m.neg_deficit_band.activate()

    def set_payoff_floors(self, floors: dict[str, float] | None, tolerance: float = 1e-9) -> None:
        """payoff_p >= floor_p (base units, USD), each loosened by `tolerance` relative (so that
        the deal the floor was read from stays feasible); None removes them."""
        for p in self.m.NEG_PARTIES:
            if floors is None or p not in floors:
                self.m.neg_payoff_floor[p].deactivate()
                continue
            value = floors[p] / MONEY
            self.m.neg_floor[p].set_value(value - tolerance * max(1.0, abs(value)))
            self.m.neg_payoff_floor[p].activate()

    # -- keeping packages apart ----------------------------------------------------
    def cut_off(self, deal: Deal, binaries: dict, min_difference: dict[tuple[str, object], float]) -> None:
        """Every later solution differs from `deal`: in at least one yes/no choice (an option or a
        switch), or in at least one amount by at least its minimum difference.

            sum_{b: b^=1} (1 - b) + sum_{b: b^=0} b + sum_k (up_k + down_k) >= 1
            x_k >= (x^_k + d_k) up_k                             (up_k = 1: x_k at least d_k above)
            x_k <= x^_k - d_k + (U_k - x^_k + d_k)(1 - down_k)   (down_k = 1: at least d_k below)

        with x^ the package's amounts, d_k `min_difference[(deal field, key)]` (base units) and U_k
        the lever's upper limit (UNLIMITED_BIG_M model units when it has none). A direction that
        the lever's bounds rule out gets no variable. Levers the instance fixes cannot differ."""
        m, terms = self.m, []
        for f in m.lever_families:
            if f.kind == "quantity":
                continue
            var = self.variable(f)
            for key, x in binaries.get(f.name, {}).items():
                if var[key].fixed:
                    continue
                terms.append(1 - var[key] if round(x) == 1 else var[key])
        for f in m.lever_families:
            if f.kind != "quantity":
                continue
            var, values = self.variable(f), deal.values(f.deal_field)
            for key in f.keys(self.inst):
                d = min_difference.get((f.deal_field, key))
                if not d or var[key].fixed:
                    continue
                scale = f.scale(self.inst, key)
                x, d = values.get(key, 0.0) / scale, d / scale
                upper = f.upper(self.inst, key)
                big = upper / scale if math.isfinite(upper) else max(UNLIMITED_BIG_M, 10 * x)
                if x + d <= big * (1 + 1e-12):
                    up = m.neg_cut_switch.add()
                    m.neg_cuts.add(var[key] >= (x + d) * up)
                    terms.append(up)
                if x - d >= 0:
                    down = m.neg_cut_switch.add()
                    m.neg_cuts.add(var[key] <= x - d + (big - x + d) * (1 - down))
                    terms.append(down)
        if not terms:            # nothing can differ: no later solution (a yes/no variable >= 2)
            m.neg_cuts.add(m.neg_cut_switch.add() >= 2)
        else:
            m.neg_cuts.add(pyo.quicksum(terms) >= 1)
        self.cuts += 1

    # -- how much better both sides could do -----------------------------------------
    def best_equal_gain(self, home: float, partner: float) -> Solution:
        """Maximize t with home payoff >= home + t and partner payoff >= partner + t (base
        units, USD): the largest gain both sides can have at once over the point (home, partner).
        `value` is t in USD (negative when no deal reaches the point)."""
        m = self.m
        m.neg_t = pyo.Var(domain=pyo.Reals)
        m.neg_gain_rows = pyo.ConstraintList()
        m.neg_gain_rows.add(m.metric["home_payoff"] >= home / MONEY + m.neg_t)
        m.neg_gain_rows.add(m.metric["partner_payoff"] >= partner / MONEY + m.neg_t)
        m.neg_gain_objective = pyo.Objective(expr=m.neg_t, sense=pyo.maximize)
        try:
            return self._solve_own(m.neg_gain_objective, lambda: pyo.value(m.neg_t) * MONEY)
        finally:
            self._drop("neg_gain_objective", "neg_gain_rows", "neg_t")
            self._only_objective(m.objective)

    def best_for(self, party: str, floors: dict[str, float]) -> Solution:
        """Maximize `party`'s payoff with the other payoffs held at `floors` (base units)."""
        m = self.m
        self.set_payoff_floors(floors)
        m.neg_party_objective = pyo.Objective(expr=m.metric[f"{party}_payoff"], sense=pyo.maximize)
        try:
            return self._solve_own(m.neg_party_objective, lambda: pyo.value(m.metric[f"{party}_payoff"]) * MONEY)
        finally:
            self._drop("neg_party_objective")
            self.set_payoff_floors(None)
            self._only_objective(m.objective)

    def _solve_own(self, objective, value) -> Solution:
        self._only_objective(objective)
        out = solve(self.solver, self.m, self.time_limit)
        if not out.has_solution:
            return Solution(out.status, message=out.message)
        deal, binaries = extract_deal(self.m, self.inst)
        return Solution(out.status, deal, binaries, out.message, value())

    # -- the smallest change to a set of levers ----------------------------------------
    def smallest_change(self, target: dict[str, dict], option_rank) -> Solution:
        """The deal closest to `target` ({deal field: {key: value}}, base units) that satisfies
        every constraint: first the fewest levers changed, then the least total change, then
        (holding both) the lexicographic `min_deficit`. Each lever's change is measured on a
        0..1 scale so that levers of different units add up:

          option line: |rank(o) - rank(o*)| / (largest - smallest rank on the line), o* the target
                       option (`option_rank(family, line, option)`, e.g. its duty rate);
          switch:      1 if flipped;
          amount:      |x - x*| / U (U its upper limit; when unlimited, max(x*, 1 model unit)).

        objective = (n + 1) * sum_i changed_i + sum_i change_i, n the number of target levers, so
        one fewer lever changed always wins. `value` is that objective."""
        m = self.m
        m.neg_changed = pyo.VarList(domain=pyo.Binary)
        m.neg_change_rows = pyo.ConstraintList()
        m.neg_amount = pyo.VarList(domain=pyo.NonNegativeReals)
        changed, change = [], []
        for f, key, goal in self.free_levers(target):
            if f.kind == "option":
                ys = self.option_binaries(f, key)
                ranks = {o: option_rank(f, key, o) for o in ys}
                span = (max(ranks.values()) - min(ranks.values())) or 1.0
                changed.append(1 - ys[goal])
                change.append(sum(abs(ranks[o] - ranks[goal]) / span * y for o, y in ys.items()))
            elif f.kind == "switch":
                z = self.variable(f)[key]
                changed.append(1 - z if goal else z)
                change.append(1 - z if goal else z)
            else:
                scale = f.scale(self.inst, key)
                x, goal_m = self.variable(f)[key], goal / scale
                upper = f.upper(self.inst, key)
                reach = upper / scale if math.isfinite(upper) else max(goal_m, 1.0)
                more, less = m.neg_amount.add(), m.neg_amount.add()
                m.neg_change_rows.add(x - goal_m == more - less)
                c = m.neg_changed.add()
                size = (more + less) / reach
                big = 1.0 if math.isfinite(upper) else UNLIMITED_BIG_M
                m.neg_change_rows.add(size <= big * c)
                changed.append(c)
                change.append(size)
        weight = len(changed) + 1
        total = weight * pyo.quicksum(changed) + pyo.quicksum(change)
        m.neg_change_objective = pyo.Objective(expr=total, sense=pyo.minimize)
        try:
            first = self._solve_own(m.neg_change_objective, lambda: pyo.value(total))
            if not first.has_deal:
                return first
            m.neg_change_rows.add(total <= first.value + 1e-9 * max(1.0, abs(first.value)))
            m.del_component("neg_change_objective")
            m.objective.activate()
            best = self.solve_lexicographic()
            if best.has_deal:
                best.value = first.value
                return best
            return first
        finally:
            self._drop("neg_change_objective", "neg_change_rows", "neg_amount", "neg_changed")
            self._only_objective(m.objective)


def solve(solver, m, time_limit=None):
    """Solve `m` after reloading it whole: forcing levers fixes variables and moves mutable
    bounds, which an incremental sync of added rows and columns does not see. The models
    here are the instance's own (small next to a sweep's), so a reload is cheap."""
    solver.model = None
    return solve_synced(solver, m, time_limit)
