"""Why no deal exists: the smallest relaxation that makes one possible, and a conflict set.

The elastic model gives each red line, participation constraint, buyers' ceiling and
channel capacity a non-negative slack, measured in that constraint's own natural unit
(RELAX_UNIT: 1,000 vehicles, USD 100 million, one percentage point, 1,000 units of a
good), and minimizes the sum of slacks. Its solution names, line by line, how far each
constraint must move; the deal it gives is verified with those relaxed bounds.

The irreducible infeasible subset (IIS) comes from HiGHS, which computes one only for
LPs: it is asked for the LP relaxation (yes/no choices made continuous). When that
relaxation is feasible, the conflict lies in the yes/no choices and no IIS is given.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import pyomo.environ as pyo

from model.data.instance import Instance
from model.economics.checks import Check, constraint_checks, max_violation
from model.economics.metrics import evaluate, references
from model.economics.responses import option_table
from model.optimization.build import build_model
from model.optimization.highs import extract_deal, make_solver, solve

FAMILIES = ("red_line", "participation", "buyer_ceiling", "channel_capacity")
RELAX_UNIT = {"vehicles": 1000.0, "USD": 1e8, "fraction": 0.01}


@dataclass
class Relaxation:
    name: str
    label: str
    party: str | None
    kind: str
    sense: str
    bound: float          # the bound as given, base units
    amount: float         # how far it must move, base units (>= 0)
    unit: str

    @property
    def relaxed_bound(self) -> float:
        return self.bound + self.amount if self.sense == "<=" else self.bound - self.amount


@dataclass
class Diagnosis:
    status: str                        # 'relaxable' or 'not_relaxable'
    relaxations: list[Relaxation]
    deal_metrics: dict | None          # the deal the relaxation allows
    deal_levers: object | None
    max_violation: float | None        # of that deal against the relaxed constraints
    iis: list[dict] | None             # [{name, label}] or None
    iis_note: str
    families: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"status": self.status, "families": list(self.families),
                "relaxations": [{**r.__dict__, "relaxed_bound": r.relaxed_bound} for r in self.relaxations],
                "deal": None if self.deal_metrics is None else {
                    k: self.deal_metrics[k] for k in ("deficit", "home_payoff", "partner_payoff",
                                                      "partner_production_loss", "imports_value", "exports_value")},
                "verification_of_relaxed_deal": self.max_violation, "iis": self.iis, "iis_note": self.iis_note}


def diagnose(inst: Instance, families: tuple[str, ...] = FAMILIES, with_iis: bool = True) -> Diagnosis:
    """The smallest relaxation of `families` that admits a deal, and HiGHS's conflict set."""
    table = option_table(inst)
    refs = references(inst, table)
    m = build_model(inst, table, refs)
    rows = {name: con for name, con in m.row_info.items() if name.split("[")[0] in families}
    checks = {c.name: c for c in constraint_checks(inst, _empty_deal(inst), refs.baseline, refs)}
    m.SLACKED = pyo.Set(initialize=list(rows), ordered=True)
    m.slack = pyo.Var(m.SLACKED, domain=pyo.NonNegativeReals)
    for name, con in rows.items():
        # One unit of slack moves the bound by one RELAX_UNIT of the row's own unit.
        step = _relax_unit(checks.get(name)) / m.row_scale[name]
        if con.upper is not None:
            con.set_value((con.lower, con.body - step * m.slack[name], con.upper))
        else:
            con.set_value((con.lower, con.body + step * m.slack[name], con.upper))
    m.objective.deactivate()
    m.elastic = pyo.Objective(expr=sum(m.slack[n] for n in rows), sense=pyo.minimize)
    solver = make_solver()
    outcome = solve(solver, m)
    iis, note = _iis(m) if with_iis else (None, "not computed")
    if not outcome.has_solution:
        return Diagnosis("not_relaxable", [], None, None, None, iis, note, families)
    deal, binaries = extract_deal(m, inst)
    metrics = evaluate(inst, deal, table)
    relaxations = []
    for name in rows:
        amount = pyo.value(m.slack[name]) * _relax_unit(checks.get(name))
        if amount > 1e-9 * max(1.0, abs(checks[name].rhs) if name in checks else 1.0):
            c = checks[name]
            relaxations.append(Relaxation(name, c.label, c.party, c.kind, c.sense, c.rhs, amount, c.unit))
    relaxed = [_relax(c, relaxations) for c in constraint_checks(inst, deal, metrics, refs, binaries)]
    return Diagnosis("relaxable", relaxations, metrics, deal, max_violation(relaxed), iis, note, families)


def _empty_deal(inst: Instance):
    from model.data.instance import Deal
    return Deal(tariff=dict(inst.no_deal.tariff))


def _relax_unit(check: Check | None) -> float:
    return RELAX_UNIT.get(check.unit, 1000.0) if check else 1.0


def _relax(c: Check, relaxations: list[Relaxation]) -> Check:
    """`c` with its bound moved by the relaxation's amount. The amount, not the relaxed bound:
    a bound that depends on the deal (a buyers' ceiling lifted by NTB relief) is relaxed by
    the same amount from wherever the deal puts it."""
    r = next((r for r in relaxations if r.name == c.name), None)
    if r is None:
        return c
    return replace(c, rhs=c.rhs + r.amount if c.sense == "<=" else c.rhs - r.amount)


def _iis(m) -> tuple[list[dict] | None, str]:
    """HiGHS's IIS of the LP relaxation, named by our constraint labels."""
    import highspy
    relaxed = m.clone()
    for v in relaxed.component_data_objects(pyo.Var):
        if v.is_binary():
            v.domain = pyo.UnitInterval
    if hasattr(relaxed, "slack"):
        relaxed.slack.fix(0)
    relaxed.elastic.deactivate()
    relaxed.objective.activate()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "relaxed.lp"
        _, smap_id = relaxed.write(str(path), io_options={"symbolic_solver_labels": True})
        symbols = relaxed.solutions.symbol_map[smap_id]
        h = highspy.Highs()
        h.silent()
        h.setOptionValue("iis_strategy", 2)
        h.readModel(str(path))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kInfeasible:
            return None, ("the LP relaxation (yes/no choices made continuous) is feasible, so the conflict lies in "
                          "the yes/no choices; HiGHS computes an IIS only for LPs")
        status, iis = h.getIis()
        if status != highspy.HighsStatus.kOk or not iis.valid_:
            return None, "HiGHS could not compute an IIS for the LP relaxation"
        names = h.getLp().row_names_
    label_of = {}
    for name, con in m.row_info.items():
        twin = relaxed.find_component(con)
        if twin is not None and id(twin) in symbols.byObject:
            label_of[symbols.byObject[id(twin)]] = name
    found = []
    for i in iis.row_index_:
        lp_name = names[i] if i < len(names) else str(i)
        found.append({"name": label_of.get(lp_name) or _readable(lp_name), "in_model_as": lp_name})
    return found, "IIS of the LP relaxation, computed by HiGHS"


STRUCTURAL = {"one_tariff_option": "exactly one tariff option on a segment",
              "shift_split": "production shifted on a segment is assigned to its tariff option",
              "shift_within_imports": "production shifted replaces imports that exist"}


def _readable(lp_name: str) -> str:
    """'c_e_one_tariff_option(compact)_' -> 'one_tariff_option[compact]'."""
    core = lp_name[4:] if lp_name[:2] == "c_" and lp_name[3:4] == "_" else lp_name
    return core.rstrip("_").replace("(", "[").replace(")", "]")


def describe(name: str, labels: dict[str, str]) -> str:
    """A constraint's label in the instance's words, or a plain description of a structural row."""
    if name in labels:
        return labels[name]
    family, _, index = name.partition("[")
    text = STRUCTURAL.get(family, family.replace("_", " "))
    return f"{text} ({index.rstrip(']')})" if index else text
