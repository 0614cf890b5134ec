"""Why no deal exists: the smallest relaxation that makes one possible (overall, and for each
party moving alone), the deal each allows, and the conflicting constraints.

The elastic model gives each relaxable constraint a non-negative slack measured in steps of
its own unit, and minimizes the number of steps. The steps are the weights of the
relaxation: by default the same steps the explanations speak of (`explain.step_of`:
1,000 vehicles, USD 100 million, one percentage point, one aircraft, 1,000 of any other
unit), so relaxing a red line by 1,000 vehicles counts as much as relaxing one by USD 100
million. `steps` sets them per unit (a larger step makes that kind of constraint cheaper
to move). The answer names, line by line, how far each constraint must move; the deal it
gives is verified against the relaxed bounds.

Three relaxations are computed:
- overall: red lines, participation, buyers' ceilings and channel capacities may move;
- each party alone: only that party's own positions, its red lines and its participation
  (buyers' ceilings and capacities are facts of the market, not positions a side gives up).

The conflict list is HiGHS's irreducible infeasible subset (IIS), which it computes only for
LPs: it is asked for the LP relaxation (yes/no choices made continuous). When that
relaxation is feasible, the conflict lies in the yes/no choices and no IIS is given. Only
the constraints a user wrote (red lines, participation, ceilings, capacities) are listed,
in their labels; the model's own rows in the subset (one option per tariff line, ...) are
counted.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from model.analyses.explain import step_of
from model.data.instance import Deal, Instance
from model.data.levers import families, options_only
from model.economics.checks import Check, constraint_checks, max_violation
from model.economics.metrics import evaluate
from model.economics.outcomes import chosen_outcomes
from model.optimization.elastic import iis, smallest_relaxation
from model.optimization.handle import NegotiationModel
from model.results import Conflict, DealLever, Diagnosis, Relaxation, Relaxed

FAMILIES = ("red_line", "participation", "buyer_ceiling", "channel_capacity")
PARTY_FAMILIES = ("red_line", "participation")      # what one side can give up by itself
DEAL_METRICS = ("deficit", "sector_deficit", "home_payoff", "partner_payoff", "partner_production_loss",
                "imports_value", "exports_value")


@dataclass
class _Found:
    """One smallest relaxation as found: what moved, and the deal it allows (None when no
    relaxation of the allowed constraints admits one)."""

    scope: str
    relaxations: list[Relaxation]
    metrics: dict | None = None
    deal: Deal | None = None
    max_violation: float | None = None          # of that deal against the relaxed constraints

    @property
    def found(self) -> bool:
        return self.metrics is not None

    def headline(self) -> dict[str, float] | None:
        return None if self.metrics is None else {k: self.metrics[k] for k in DEAL_METRICS if k in self.metrics}

    def summary(self, inst: Instance) -> Relaxed:
        return Relaxed(self.scope, "relaxable" if self.found else "not_relaxable", self.relaxations,
                       sum(r.steps for r in self.relaxations), self.headline(),
                       deal_levers(inst, self.deal) if self.deal is not None else [], self.max_violation)


def diagnose(model: NegotiationModel, families: tuple[str, ...] = FAMILIES, with_iis: bool = True,
             steps: dict[str, float] | None = None, by_party: bool = True) -> Diagnosis:
    """The smallest relaxation of `families` that admits a deal (and, with `by_party`, the
    smallest of each party's own red lines and participation alone), and the conflict set, for
    the instance of `model` as the model stands (e.g. with its fixed terms released).
    `steps`: unit -> the amount that counts as one step of relaxation (defaults: see the
    module docstring)."""
    inst = model.inst
    checks = {c.name: c for c in constraint_checks(inst, _empty_deal(inst), model.refs.baseline, model.refs)}
    step = _step_function(steps)
    overall = _smallest(model, checks, step, lambda c: _family(c.name) in families, "overall")
    units = sorted({c.unit for c in checks.values() if _family(c.name) in families})
    stated = {u: step(u) for u in units}
    parties = {}
    if by_party:
        for p in ("home", "partner"):
            allowed = [c for c in checks.values() if _family(c.name) in PARTY_FAMILIES and c.party == p]
            if allowed:
                parties[p] = _smallest(model, checks, step,
                                       lambda c, p=p: _family(c.name) in PARTY_FAMILIES and c.party == p,
                                       p).summary(inst)
    found, note, model_rows = _conflict(model, checks) if with_iis else (None, "not computed", 0)
    return Diagnosis(status="relaxable" if overall.found else "not_relaxable", families=list(families), steps=stated,
                     relaxations=overall.relaxations, deal=overall.headline(),
                     levers=deal_levers(inst, overall.deal) if overall.deal is not None else [],
                     verification_of_relaxed_deal=overall.max_violation, by_party=parties, iis=found, iis_note=note,
                     iis_model_rows=model_rows)


def _step_function(steps: dict[str, float] | None):
    steps = dict(steps or {})
    return lambda unit: float(steps.get(unit, step_of(unit)))


def _family(name: str) -> str:
    return name.split("[")[0]


def _smallest(model: NegotiationModel, checks: dict[str, Check], step, allowed, scope: str) -> _Found:
    """The fewest steps of relaxation, among the constraints `allowed` accepts, that admit a deal."""
    inst = model.inst
    rows = {name: step(c.unit) for name, c in checks.items() if allowed(c)}
    solution, amounts = smallest_relaxation(model, rows)
    if solution.deal is None or not rows:      # (has_deal)
        return _Found(scope, [])
    metrics = evaluate(inst, solution.deal, model.table)
    relaxations = []
    for name, amount in amounts.items():
        c = checks[name]
        if amount > 1e-9 * max(1.0, abs(c.rhs)):
            relaxations.append(Relaxation(name, c.label, c.party, c.kind, c.sense, c.rhs, amount, c.unit,
                                          amount / step(c.unit), c.rhs + amount if c.sense == "<=" else c.rhs - amount))
    relaxed = [_relax(c, relaxations) for c in constraint_checks(inst, solution.deal, metrics, model.refs,
                                                                 solution.binaries)]
    return _Found(scope, relaxations, metrics, solution.deal, max_violation(relaxed))


def deal_levers(inst: Instance, deal: Deal) -> list[DealLever]:
    """The levers a deal uses, in the lever-family table's order: every tariff option chosen
    (its rate and option label), every switch granted, every amount above zero."""
    outcomes = chosen_outcomes(inst, deal)
    out = []
    for f in families():
        values = deal.values(f.deal_field)
        if f.kind == "option":
            for key in f.keys(inst):
                if key in values:
                    out.append(DealLever(f.name, f.key_text(key), f.party, f.label(inst, key), f.unit(inst, key),
                                         f.option_rate(inst, key, values[key], outcomes),
                                         f.option_label(inst, key, values[key])))
        else:
            for key, v in values.items():
                if v and float(v) > 0:
                    out.append(DealLever(f.name, f.key_text(key), f.party, f.label(inst, key), f.unit(inst, key),
                                         float(v)))
    return out


def _empty_deal(inst: Instance):
    return options_only(inst.no_deal)


def _relax(c: Check, relaxations: list[Relaxation]) -> Check:
    """`c` with its bound moved by the relaxation's amount. The amount, not the relaxed bound:
    a bound that depends on the deal (a buyers' ceiling lifted by NTB relief) is relaxed by
    the same amount from wherever the deal puts it."""
    r = next((r for r in relaxations if r.name == c.name), None)
    if r is None:
        return c
    return replace(c, rhs=c.rhs + r.amount if c.sense == "<=" else c.rhs - r.amount)


def _conflict(model: NegotiationModel, checks: dict[str, Check]) -> tuple[list[Conflict] | None, str, int]:
    """HiGHS's IIS of the LP relaxation: the constraints users wrote, in their labels, and the
    number of the model's own rows in it."""
    names, note, model_rows = iis(model)
    if names is None:
        return None, note, 0
    found = []
    for name in names:
        c = checks.get(name)
        if c is not None and _family(name) in FAMILIES:
            found.append(Conflict(name, c.label, c.kind, c.party))
        else:
            model_rows += 1
    return found, note, model_rows


def describe(name: str, labels: dict[str, str]) -> str:
    """A constraint's label in the instance's words (its name when no label is known)."""
    return labels.get(name, name)
