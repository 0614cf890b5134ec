"""The negotiation over a horizon of years, as one model built once: a block per year, tied together.

Each year t of `inst.horizon` is a Pyomo block built by the one-year steps (`build.build_model`)
from that year's instance (`data.horizon.year_instance`: growth applied, fixed schedules fixed),
with its own objective deactivated. At the top:

- schedules the model chooses: a binary z[s,p] per (schedule, path), one path each
  (sum_p z[s,p] = 1); an option lever (a tariff line) in year t: choice_t[key,o] = sum of the z of
  the paths giving option o in year t; a yes/no relief: on_t = sum of the z of the paths that grant
  it in t; an amount: x_t = sum_p value_p(t) z[s,p], or for a scaled path (a shape in [0, 1] whose
  level the model chooses) shape_p(t) L_p with 0 <= L_p <= the lever's own limit x z[s,p];
- red lines `over: horizon`: sum_t metric_t <= (or >=) the bound (a relative bound multiplies
  the sum of the reference values);
- participation in present value: sum_t d_t gain_t >= 0 for each party, d_t = 1/(1+r)^(t-t0),
  gain_t its measure (payoff or welfare) less no deal's in year t; under `every_year` also each
  year's own row (kept in the blocks);
- the objective: a metric's present value sum_t d_t metric_t (money; volumes summed), or its
  value in the last year.

`HorizonModel` is a `LoadedModel`: the lexicographic solve, the repair and the forms work on it
unchanged. A bare metric name is the objective's aggregate (present value, or the last year);
`y2027:deficit` is one year's, `pv:deficit` a present value and `sum:deficit` a plain sum. The
one-year analyses read `inst`, `table` and `refs`: the last year's (the deal fully phased in).
"""
from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo

from model.data.catalogue import MONEY, metric_scale
from model.data.horizon import Horizon, year_instance
from model.data.instance import Deal, Instance
from model.economics.metrics import References, red_line_bound, references
from model.economics.outcomes import option_table
from model.optimization.build import build_model, read_deal, variable_name
from model.optimization.handle import LoadedModel, NegotiationModel

__all__ = ["HorizonModel", "command_model", "horizon_bound", "summed"]


def horizon_bound(line, refs: list[References]) -> float:
    """A red line over the horizon: its bound on the sum of the metric over the years (base units): as
    stated when absolute; a relative bound multiplies the sum of the reference values."""
    return line.bound if line.relative_to is None else sum(red_line_bound(line, r) for r in refs)


def command_model(inst: Instance, time_limit: float | None = None) -> NegotiationModel:
    """The command's one model: over the years for an instance with a horizon, else the one-year model."""
    return HorizonModel(inst, time_limit) if inst.horizon is not None else NegotiationModel(inst, time_limit)


def summed(unit: str) -> str:
    """How a metric adds up over the years: money in present value, volumes in total, rates not at all."""
    if unit.startswith("USD") and "/" not in unit:
        return "present value"
    if unit in ("fraction", "share", "%", "1") or "/" in unit:
        return "none"
    return "total"


class HorizonModel(NegotiationModel):
    """The command's model of an instance with a horizon: every year's, built and loaded once. It
    stands where a `NegotiationModel` does (same solves, forms and changes), but is built here."""

    builds = 0

    def __init__(self, inst: Instance, time_limit: float | None = None):
        HorizonModel.builds += 1
        hz: Horizon = inst.horizon
        assert hz is not None, "HorizonModel needs an instance with a horizon"
        t0 = time.perf_counter()
        self.base, self.horizon = inst, hz
        self.years = hz.years
        self.factors = hz.factors
        self.year_insts: dict[int, Instance] = {t: year_instance(inst, t) for t in self.years}
        self.tables: dict[int, dict] = {}
        self.year_refs: dict[int, References] = {}
        shared: dict = {}               # years whose data are the same share the option table and references
        for t, yi in self.year_insts.items():
            key = (tuple(yi.segments.items()), yi.no_deal)
            found = next((u for u, k in shared.items() if k == key), None)
            if found is None:
                self.tables[t] = option_table(yi)
                self.year_refs[t] = references(yi, self.tables[t])
                shared[t] = key
            else:
                self.tables[t], self.year_refs[t] = self.tables[found], self.year_refs[found]
        self.m = m = pyo.ConcreteModel(name=f"{inst.name}_horizon")
        m.row_scale, m.row_info = {}, {}
        self.blocks = {}
        for t in self.years:
            b = build_model(self.year_insts[t], self.tables[t], self.year_refs[t])
            b.objective.deactivate()
            m.add_component(f"y{t}", b)
            self.blocks[t] = b
        self._link(m)
        # Stage one's objective, for the exported LP (every solve sets its own on HiGHS's copy).
        m.objective = pyo.Objective(expr=self.aggregate(inst.settings.objective_metric), sense=pyo.minimize)
        self.build_seconds = time.perf_counter() - t0
        col_of, rows, natural = self._load(m)
        self.year_columns = {t: {var.local_name: {i: col_of[id(v)] for i, v in var.items()}
                                 for var in b.component_objects(pyo.Var, descend_into=False)}
                             for t, b in self.blocks.items()}
        self.path_columns = {k: col_of[id(v)] for k, v in m.path_choice.items()}
        last = self.years[-1]
        scales = {}
        for t, b in self.blocks.items():
            scales.update({f"y{t}:{k}": s for k, s in b.metric_scale.items()})
        for k, s in self.blocks[last].metric_scale.items():
            scales.update({k: s, f"pv:{k}": s, f"sum:{k}": s})
        LoadedModel.__init__(self, self.year_insts[last], self.tables[last], self.year_refs[last], self.solver.h,
                         self.year_columns[last], rows, dict(m.row_scale), scales, self._compile,
                         self.blocks[last].lever_families, natural, time_limit)

    # -- the rows that tie the years -----------------------------------------------------------
    def _metric(self, t: int, k: str):
        return self.blocks[t].metric[k]

    def aggregate(self, k: str, how: str | None = None):
        """A metric over the years as a Pyomo expression: 'pv' (present value), 'sum' or 'last'
        (default: what the objective uses)."""
        how = how or ("last" if self.horizon.objective == "last_year" else "pv")
        if how == "last":
            return self._metric(self.years[-1], k)
        if len(self.years) == 1:          # one year: the metric itself (the one-year model's very rows)
            return self._metric(self.years[0], k)
        weights = self.factors if how == "pv" else [1.0] * len(self.years)
        return sum(d * self._metric(t, k) for d, t in zip(weights, self.years))

    def _link(self, m) -> None:
        hz, base = self.horizon, self.base
        chosen = [s for s in hz.schedules if s.linked]
        m.PATHS = pyo.Set(dimen=2, initialize=[(s.name, p) for s in chosen for p in s.considered], ordered=True)
        m.path_choice = pyo.Var(m.PATHS, domain=pyo.Binary)
        m.SCALED = pyo.Set(dimen=2, initialize=[(s.name, p) for s in chosen for p in s.considered if p in s.scaled],
                           ordered=True)
        m.path_level = pyo.Var(m.SCALED, domain=pyo.NonNegativeReals)     # a scaled path's level, first year's units
        m.one_path = pyo.ConstraintList()
        m.schedule_link = pyo.ConstraintList()
        m.level_limit = pyo.ConstraintList()
        for s in chosen:
            z = {p: m.path_choice[s.name, p] for p in s.considered}
            m.one_path.add(sum(z.values()) == 1)
            first = self.year_insts[self.years[0]]
            for p in s.considered:
                if p in s.scaled:       # L_p <= the lever's own limit x z_p
                    f = self.blocks[self.years[0]].lever_families_by_name[s.family]
                    m.level_limit.add(m.path_level[s.name, p] <= f.upper(first, s.key) / f.scale(first, s.key) * z[p])
            for i, t in enumerate(self.years):
                b = self.blocks[t]
                f = b.lever_families_by_name[s.family]
                var = getattr(b, variable_name(f))
                if f.kind == "option":
                    for o in f.options(self.year_insts[t], s.key):
                        giving = [z[p] for p in s.considered if s.paths[p][i] == o]
                        m.schedule_link.add(var[s.key, o] == sum(giving))
                elif f.kind == "switch":
                    m.schedule_link.add(var[s.key] == sum(z[p] for p in s.considered if s.paths[p][i]))
                else:
                    scale = f.scale(self.year_insts[t], s.key)
                    ratio = f.scale(self.year_insts[self.years[0]], s.key) / scale
                    m.schedule_link.add(var[s.key] == sum(
                        s.paths[p][i] * ratio * m.path_level[s.name, p] if p in s.scaled else s.paths[p][i] / scale * z[p]
                        for p in s.considered))
        # Red lines over the horizon: the sum over the years (model units; every year's scale is the same).
        m.horizon_red_line = pyo.Constraint(pyo.Any)
        for r in base.red_lines:
            if r.over != "horizon":
                continue
            scale = metric_scale(base, r.metric)
            bound = horizon_bound(r, [self.year_refs[t] for t in self.years]) / scale
            lhs = sum(self._metric(t, r.metric) for t in self.years)
            m.horizon_red_line[r.name] = lhs <= bound if r.sense == "<=" else lhs >= bound
            m.row_scale[f"horizon_red_line[{r.name}]"] = scale
            m.row_info[f"horizon_red_line[{r.name}]"] = m.horizon_red_line[r.name]
        # Participation in present value; under `every_year` (or in a one-year horizon) each year's own rows,
        # kept in its block, imply it.
        m.horizon_participation = pyo.Constraint(pyo.Any)
        if base.settings.participation and not self.year_insts[self.years[0]].settings.participation:
            for p in ("home", "partner"):
                k = base.settings.measure(p)
                floor = sum(d * self.year_refs[t].no_deal[k] for d, t in zip(self.factors, self.years)) / MONEY
                m.horizon_participation[p] = self.aggregate(k, "pv") >= floor
                m.row_scale[f"horizon_participation[{p}]"] = MONEY
                m.row_info[f"horizon_participation[{p}]"] = m.horizon_participation[p]

    # -- forms over the loaded columns ------------------------------------------------------------
    def _expression(self, metric: str):
        if ":" in metric:
            where, k = metric.split(":", 1)
            if where == "pv":
                return self.aggregate(k, "pv")
            if where == "sum":
                return self.aggregate(k, "sum")
            return self._metric(int(where[1:]), k)
        return self.aggregate(metric)

    # -- reading a solution ------------------------------------------------------------------
    def read_year(self, x: np.ndarray, year: int, threshold: float | None = None) -> tuple[Deal, dict]:
        """One year's deal (base units) and its yes/no families' raw values."""
        cols = self.year_columns[year]
        return read_deal(self.year_insts[year], self.families,
                         lambda name: {k: float(x[j]) for k, j in cols[name].items()}, threshold)

    def read(self, x: np.ndarray, threshold: float | None = None) -> tuple[Deal, dict]:
        """The last year's deal (the one the one-year sections describe); every year's is `read_year`'s."""
        return self.read_year(x, self.years[-1], threshold)

    def chosen_paths(self, x: np.ndarray) -> dict[str, str]:
        """Schedule name -> the path chosen (or fixed)."""
        out = {s.name: s.fixed for s in self.horizon.schedules if s.fixed is not None and not s.linked}
        for (name, p), j in self.path_columns.items():
            if x[j] > 0.5:
                out[name] = p
        return out

    def _noise(self, x: np.ndarray) -> np.ndarray:
        small = []
        for t in self.years:
            inst, cols = self.year_insts[t], self.year_columns[t]
            threshold = inst.settings.noise_threshold
            small += [j for f in self.families if f.kind == "quantity"
                      for key, j in cols[variable_name(f)].items()
                      if 1e-12 < abs(x[j]) and abs(x[j]) * f.scale(inst, key) < threshold]
        return np.asarray(small, dtype=np.int32)

    def solver_info(self) -> dict:
        from model.optimization.highs import highs_options
        used = highs_options(self.num_columns)
        return {"name": "HiGHS", "version": self.version, "mip_rel_gap_target": used["mip_rel_gap"],
                "mip_abs_gap_target": used["mip_abs_gap"] * MONEY, "threads": used["threads"]}

    def write_lp(self, path) -> None:
        """The first stage over the years (the present value, or last year's value, of the objective metric) in
        CPLEX LP format, from Pyomo; objective in USD million."""
        from pathlib import Path
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        self.m.write(str(tmp), format="lp", io_options={"symbolic_solver_labels": True})
        hz = self.horizon
        aggregate = "its last year's value" if hz.objective == "last_year" else \
            f"its present value at {hz.discount_rate:.4g} a year"
        header = (f"\\ Deficit-minimizing first stage of the negotiation model over {hz.first_year}-{hz.last_year}: "
                  f"{self.base.settings.objective_metric}, {aggregate}.\n"
                  "\\ Objective unit: USD million; vehicles in thousands; one block of variables and rows a year.\n")
        tmp.write_text(header + tmp.read_text())
        tmp.replace(path)
