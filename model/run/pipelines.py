"""Each command as one declared pipeline: the steps that fill its results, in order, each with
the rule that decides whether it runs.

A step fills one part of `Results` (a field named in `fills`) from the command's one model
(`NegotiationModel`) and the verified deal. `run`, `frontier` and `sweep` share the steps of a
solve (CORE); `run` adds the frontier its size allows, `frontier` asks for as many points as the
user wants, and `sweep` its draws (run by `jobs.sweep`, which owns the progress bar and Dask).
`compare` solves each instance through CORE (`solve_instance`); `alternatives` and `evaluate`
are one step each on the model. What each report section reads is declared beside the section
(`reporting.markdown.READS`); tests/test_pipelines.py checks that every part a command's report
reads is filled by one of its steps.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from model.analyses.bridge import deficit_bridge
from model.analyses.concessions import applicable, concession_values
from model.analyses.diversion import diversion_summary
from model.analyses.explain import lever_context, sentences
from model.analyses.frontier import compute_frontier, free_optimum, has_fixed_terms, model_size
from model.analyses.red_lines import review_red_lines
from model.data.instance import Instance
from model.economics.responses import chosen_outcomes, pass_through_summary
from model.economics.shifts import quota_summary
from model.optimization.handle import NegotiationModel
from model.optimization.sensitivity import ranging
from model.results import ConcessionValues, FreeOptimum, Frontier, PassThrough, Results
from model.run.solve import Verified, diagnose_with_labels, solve_model, unbounded_explanation

# When the analyses that cost more solves join a report. The rules read the model's size
# (`frontier.model_size`: yes/no choices, levers), not timings, so that the same instance always
# gives the same results.json; each report that leaves one out says why.
RUN_FRONTIER_POINTS = 5          # `run` adds this many frontier points, the Nash deal and the zone ...
RUN_FRONTIER_MAX_CHOICES = 100   # ... when the model has at most this many yes/no choices
RUN_FRONTIER_MAX_LEVERS = 1_000  # ... and levers (about 12 more solves, each well under a second)
FREE_OPTIMUM_MAX_CHOICES = 5_000     # a fixed-terms instance's free optimum (one more solve) ...
FREE_OPTIMUM_MAX_LEVERS = 100_000    # ... up to this size


@dataclass
class Options:
    """What the command line asked for."""

    objective: str | None = None
    time_limit: float | None = None
    export_lp: str | Path | None = None
    concessions: bool = True
    relax_steps: dict[str, float] | None = None
    frontier_points: int = 0          # `run`: its rule's points; `frontier`: the user's; 0: none


@dataclass
class Context:
    """One command's state as its pipeline runs: the model, the options, what has been filled."""

    model: NegotiationModel
    options: Options = field(default_factory=Options)
    results: Results | None = None
    verified: Verified | None = None

    @property
    def inst(self) -> Instance:
        return self.model.inst

    @property
    def has_deal(self) -> bool:
        return self.verified is not None

    @property
    def optimal(self) -> bool:
        return self.verified is not None and self.results is not None and self.results.status == "optimal"


@dataclass(frozen=True)
class Step:
    fills: str                                    # the Results field it fills ('deal': the results' core)
    does: str                                     # in words
    run: Callable[[Context], object]
    when: Callable[[Context], bool] = lambda ctx: True
    rule: str = ""                                # `when` in words, where it is not 'always'


def execute(steps: tuple[Step, ...], ctx: Context) -> Results:
    """Run each step whose rule holds, in order; each fills its field of the results."""
    for step in steps:
        if not step.when(ctx):
            continue
        value = step.run(ctx)
        if step.fills != "deal":
            setattr(ctx.results, step.fills, value)
    assert ctx.results is not None
    return ctx.results


# -- the steps ----------------------------------------------------------------------------------

def _solve(ctx: Context) -> None:
    o = ctx.options
    ctx.results, ctx.verified = solve_model(ctx.model, o.objective, o.time_limit, o.export_lp)


def _verified(ctx: Context) -> Verified:
    assert ctx.verified is not None
    return ctx.verified


def _pass_through(ctx: Context) -> PassThrough:
    inst, table, deal = ctx.inst, ctx.model.table, _verified(ctx).deal
    return PassThrough(pass_through_summary(inst, deal, chosen_outcomes(inst, deal, table)),
                       pass_through_summary(inst, inst.no_deal, chosen_outcomes(inst, inst.no_deal, table)))


def _ranging(ctx: Context):
    v = _verified(ctx)
    assert v.lp is not None
    return ranging(ctx.model, v.lp, {c.name: c.rhs for c in v.checks})


def _concessions(ctx: Context) -> ConcessionValues:
    assert ctx.results is not None
    why_not = applicable(ctx.inst, ctx.results.objective.name, ctx.results.timings.get("solve", 0.0))
    return ConcessionValues(skipped=why_not) if why_not else concession_values(ctx.model, _verified(ctx).deal)


def _lever_context(ctx: Context):
    assert ctx.results is not None
    used = {(lv.name, lv.index) for lv in ctx.results.levers if lv.choice is not None or abs(lv.value) > 1e-9}
    return [c for c in lever_context(ctx.inst) if (c.name, c.index) in used or c.no_deal]


def _size(ctx: Context) -> tuple[int, int]:
    return model_size(ctx.inst)


def _free_optimum(ctx: Context) -> FreeOptimum | None:
    choices, levers = _size(ctx)
    if choices <= FREE_OPTIMUM_MAX_CHOICES and levers <= FREE_OPTIMUM_MAX_LEVERS:
        return free_optimum(ctx.model, ctx.results)
    return FreeOptimum(skipped=f"the model has {choices:,} yes/no choices and {levers:,} levers, and the free optimum "
                               f"is solved only up to {FREE_OPTIMUM_MAX_CHOICES:,} and {FREE_OPTIMUM_MAX_LEVERS:,}; "
                               "compare the instance with a copy without fixed_levers")


def frontier_rule() -> str:
    return (f"`run` adds {RUN_FRONTIER_POINTS} frontier points and the Nash deal when the model has at most "
            f"{RUN_FRONTIER_MAX_CHOICES} yes/no choices and {RUN_FRONTIER_MAX_LEVERS:,} levers (about 12 more solves); "
            "`solve.py frontier` computes as many points as asked")


def _run_frontier(ctx: Context) -> Frontier:
    choices, levers = _size(ctx)
    if choices <= RUN_FRONTIER_MAX_CHOICES and levers <= RUN_FRONTIER_MAX_LEVERS:
        front = compute_frontier(ctx.model, ctx.options.frontier_points, deal=ctx.results)
        front.added_by = frontier_rule()
        return front
    return Frontier("skipped", skipped=f"the model has {choices:,} yes/no choices and {levers:,} levers; "
                                       + frontier_rule())


def _frontier(ctx: Context) -> Frontier:
    front = compute_frontier(ctx.model, ctx.options.frontier_points, deal=ctx.results)
    if front.status == "unbounded":
        front.message = f"{front.message}: {unbounded_explanation(ctx.inst)}"
    return front


def _infeasible(ctx: Context) -> bool:
    return ctx.results is not None and ctx.results.status == "infeasible"


CORE = (
    Step("deal", "solve (stage one, the tie-break, the repair), verify the deal outside the solver, price the "
         "fixed LP", _solve),
    Step("diagnosis", "the smallest relaxation that admits a deal, overall and per party, and the conflict set",
         lambda ctx: diagnose_with_labels(ctx.model, ctx.options.relax_steps), when=_infeasible,
         rule="when no deal is possible"),
    Step("red_lines", "red lines no deal breaches, and those that cannot bind", lambda ctx: review_red_lines(ctx.model),
         when=lambda ctx: ctx.has_deal or _infeasible(ctx), rule="with a deal, or when none is possible"),
    Step("bridge", "the deficit from the calibration year to no deal to the deal, by cause",
         lambda ctx: deficit_bridge(ctx.inst, _verified(ctx).deal, ctx.model.table), when=lambda ctx: ctx.has_deal,
         rule="with a deal"),
    Step("quotas", "each quota's fill, rent and tariff equivalent",
         lambda ctx: quota_summary(ctx.inst, _verified(ctx).deal, chosen_outcomes(ctx.inst, _verified(ctx).deal,
                                                                                    ctx.model.table)),
         when=lambda ctx: ctx.has_deal, rule="with a deal"),
    Step("pass_through", "each tariff line's pass-through, deal and no deal", _pass_through,
         when=lambda ctx: ctx.has_deal, rule="with a deal"),
    Step("diversion", "trade creation and diversion, the deal against no deal",
         lambda ctx: diversion_summary(ctx.inst, _verified(ctx).metrics, ctx.model.refs.no_deal),
         when=lambda ctx: ctx.has_deal, rule="with a deal (and third countries)"),
    Step("ranging", "how far each bound and lever cost can move before the deal's structure changes", _ranging,
         when=lambda ctx: ctx.has_deal and _verified(ctx).lp is not None and _verified(ctx).lp.status == "optimal",
         rule="when the fixed LP was solved"),
    Step("explanations", "each binding constraint's shadow price in words", lambda ctx: sentences(ctx.results),
         when=lambda ctx: ctx.results is not None and ctx.results.ranging is not None, rule="after the ranging"),
    Step("concession_values", "what one step of each concession is worth to each side", _concessions,
         when=lambda ctx: ctx.options.concessions and ctx.optimal, rule="with an optimal deal (its own rule in "
         "`analyses.concessions.applicable`)"),
    Step("lever_context", "each lever's object and its no-deal and calibration-year settings", _lever_context),
    Step("free_optimum", "what the instance's fixed terms cost against every lever free", _free_optimum,
         when=lambda ctx: has_fixed_terms(ctx.inst), rule="when the instance fixes levers (up to a size)"),
)

RUN = CORE + (
    Step("frontier", "the frontier, the Nash deal and the zone of possible agreement", _run_frontier,
         when=lambda ctx: ctx.options.frontier_points > 0 and ctx.results is not None
         and ctx.results.status == "optimal", rule=frontier_rule()),
)

FRONTIER = CORE + (
    Step("frontier", "the frontier with the points asked for, the Nash deal and the zone", _frontier),
)

SWEEP = CORE       # then the draws, by `jobs.sweep` (the sweep summary fills `Results.sweep`)

PIPELINES = {"run": RUN, "frontier": FRONTIER, "sweep": SWEEP, "compare": CORE}
SWEEP_FILLS = ("sweep",)    # what `jobs.sweep` adds after its pipeline


def solve_instance(inst: Instance, objective: str | None = None, time_limit: float | None = None,
                   export_lp: str | Path | None = None, concessions: bool = True) -> Results:
    """Build the model of `inst` and run the steps of a solve (CORE): verified results with the
    analyses of the deal, or, without a deal, the diagnosis (never raises for infeasible or
    unbounded). `concessions=False` leaves out what each concession is worth."""
    ctx = Context(NegotiationModel(inst, time_limit), Options(objective, time_limit, export_lp, concessions))
    return execute(CORE, ctx)
