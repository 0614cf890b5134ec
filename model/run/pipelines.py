"""Each command as one declared pipeline: the steps that fill its results, in order, each with
the rule that decides whether it runs.

A step fills one part of `Results` (a field named in `fills`) from the command's one model
(`NegotiationModel`) and the verified deal. `run`, `frontier` and `sweep` share the steps of a
solve (CORE); `run` adds the frontier its size allows, `frontier` asks for as many points as the
user wants, and `sweep` its draws (run by `jobs.sweep`, which owns the progress bar and Dask).
`compare` solves each instance through CORE (`solve_instance`). `alternatives` and `evaluate`
fill results of their own (`results.Alternatives`, `results.OfferEvaluation`): a first step
fills the whole (the search, the evaluation), and the steps after it complete a part (the
levers without a limit named where a solve was unbounded). What each report section reads is
declared beside the section (`reporting.markdown.READS`, `alternatives_report.READS`,
`offer_report.READS`); tests/test_pipelines.py checks that every part a command's report reads is
filled by one of its steps.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from model.analyses.alternatives import DEFAULT_COUNT, DEFAULT_MIN_GAIN, DEFAULT_WITHIN, find_alternatives
from model.analyses.assumption_rank import BUDGET as RANK_BUDGET
from model.analyses.assumption_rank import applicable as assumptions_ranked
from model.analyses.assumption_rank import not_ranked, rank_assumptions
from model.analyses.bridge import deficit_bridge
from model.analyses.concessions import applicable, concession_values
from model.analyses.deal_robustness import DEFAULT_DRAWS, HORIZON_DRAWS
from model.analyses.diversion import diversion_summary
from model.analyses.explain import lever_context, sentences
from model.analyses.frontier import compute_frontier, free_optimum, has_fixed_terms, model_size
from model.analyses.offers import evaluate_offer, offer_robustness
from model.analyses.policy_curve import policy_curve
from model.analyses.red_line_costs import METHOD as RED_LINE_METHOD
from model.analyses.red_line_costs import applicable as red_lines_priced
from model.analyses.red_line_costs import red_line_costs
from model.analyses.red_lines import review_red_lines
from model.analyses.sweep import run_robustness
from model.data.instance import Instance
from model.data.offers import Offer
from model.economics.outcomes import chosen_outcomes
from model.economics.responses import pass_through_summary
from model.economics.shifts import quota_summary
from model.optimization.handle import NegotiationModel
from model.optimization.horizon import HorizonModel, command_model
from model.optimization.sensitivity import ranging
from model.results import (
    Alternatives,
    Amendment,
    AssumptionRank,
    Completion,
    ConcessionValues,
    DealRobustness,
    FreeOptimum,
    Frontier,
    OfferEvaluation,
    OfferRobustness,
    PassThrough,
    PolicyCurve,
    RedLineCosts,
    Results,
    Solved,
)
from model.run.horizon import solve_horizon
from model.run.horizon_draws import solve_draw
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
    count: int = DEFAULT_COUNT                      # `alternatives`: at most this many packages ...
    within: float = DEFAULT_WITHIN                  # ... within this share of the best deficit ...
    min_difference: float | None = None             # ... amounts apart by this share of their limit, or ...
    min_gain: float = DEFAULT_MIN_GAIN              # ... by the move worth this share of the larger side's gain
    offer: Offer | None = None                      # `evaluate`: the offer
    lever: tuple[str, tuple[float, ...]] | None = None   # `sweep --lever`: a lever and its values
    robustness: int = 0             # `run`: draws of the instance's uncertainty (`--robustness N`); 0: none
    seed: int = 0                   # ... their seed (`--seed`)
    assumption_rank: bool = False   # `run`: rank the assumptions by their influence on the deal (off: --no-assumption-rank)


@dataclass
class Context:
    """One command's state as its pipeline runs: the model, the options, what has been filled."""

    model: NegotiationModel
    options: Options = field(default_factory=Options)
    results: Results | None = None
    verified: Verified | None = None
    alternatives: Alternatives | None = None        # `alternatives`' results
    evaluation: OfferEvaluation | None = None       # `evaluate`'s results

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
    fills: str                                    # the field of the results it fills (a key of WHOLE: all of them)
    does: str                                     # in words
    run: Callable[[Context], object]
    when: Callable[[Context], bool] = lambda ctx: True
    rule: str = ""                                # `when` in words, where it is not 'always'


# A step that fills one of these makes the whole of a command's results (and sets it on the
# context itself, in the Context field named here); every other step fills one field of them.
WHOLE = {"deal": "results", "alternatives": "alternatives", "evaluation": "evaluation"}


def _run_steps(steps: tuple[Step, ...], ctx: Context, results: str) -> None:
    """Run each step whose rule holds, in order; each fills its field of `ctx.<results>`."""
    for step in steps:
        if not step.when(ctx):
            continue
        value = step.run(ctx)
        if step.fills not in WHOLE:
            setattr(getattr(ctx, results), step.fills, value)


def execute(steps: tuple[Step, ...], ctx: Context) -> Results:
    """Run a solve's pipeline (CORE and what a command adds): the results of `run`, `frontier`, `sweep`."""
    _run_steps(steps, ctx, "results")
    assert ctx.results is not None
    return ctx.results


def execute_alternatives(ctx: Context) -> Alternatives:
    """Run `alternatives`' pipeline (ALTERNATIVES) with the count and shares of `ctx.options`."""
    _run_steps(ALTERNATIVES, ctx, "alternatives")
    assert ctx.alternatives is not None
    return ctx.alternatives


def execute_evaluation(ctx: Context) -> OfferEvaluation:
    """Run `evaluate`'s pipeline (EVALUATE) on the offer of `ctx.options`."""
    _run_steps(EVALUATE, ctx, "evaluation")
    assert ctx.evaluation is not None
    return ctx.evaluation


# -- the steps ----------------------------------------------------------------------------------

def _solve(ctx: Context) -> None:
    o = ctx.options
    if isinstance(ctx.model, HorizonModel):
        ctx.results, ctx.verified = solve_horizon(ctx.model, o.objective, o.time_limit, o.export_lp)
    else:
        ctx.results, ctx.verified = solve_model(ctx.model, o.objective, o.time_limit, o.export_lp)


def _one_year(ctx: Context) -> bool:
    """The analyses that re-solve the one-year model are not built over a horizon (`run.horizon`
    says so in the results' warnings)."""
    return not isinstance(ctx.model, HorizonModel)


def _verified(ctx: Context) -> Verified:
    assert ctx.verified is not None
    return ctx.verified


def _results(ctx: Context) -> Results:
    assert ctx.results is not None
    return ctx.results


def _lp_solved(ctx: Context) -> bool:
    """Was the fixed LP (the deal's yes/no choices fixed) solved to optimality?"""
    lp = _verified(ctx).lp
    return lp is not None and lp.status == "optimal"


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


def _red_line_costs(ctx: Context) -> RedLineCosts:
    assert ctx.results is not None
    why_not = red_lines_priced(ctx.inst, ctx.results.timings.get("solve", 0.0))
    return RedLineCosts(RED_LINE_METHOD, skipped=why_not) if why_not else red_line_costs(ctx.model, _verified(ctx).deal)


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
         lambda ctx: diagnose_with_labels(ctx.model, ctx.options.relax_steps),
         when=lambda ctx: _infeasible(ctx) and _one_year(ctx), rule="when no deal is possible (one-year instances)"),
    Step("red_lines", "red lines no deal breaches, and those that cannot bind", lambda ctx: review_red_lines(ctx.model),
         when=lambda ctx: (ctx.has_deal or _infeasible(ctx)) and _one_year(ctx),
         rule="with a deal, or when none is possible (one-year instances)"),
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
         when=lambda ctx: ctx.has_deal and _lp_solved(ctx) and _one_year(ctx),
         rule="when the fixed LP was solved (one-year instances)"),
    Step("explanations", "each binding constraint's shadow price in words", lambda ctx: sentences(_results(ctx), ctx.inst),
         when=lambda ctx: ctx.results is not None and ctx.results.ranging is not None, rule="after the ranging"),
    Step("concession_values", "what one step of each concession is worth to each side", _concessions,
         when=lambda ctx: ctx.options.concessions and ctx.optimal and _one_year(ctx), rule="with an optimal deal "
         "(one-year instances; its own rule in `analyses.concessions.applicable`)"),
    Step("red_line_costs", "the deal without each red line, and without all: what each costs and which terms it "
         "sets", _red_line_costs, when=lambda ctx: ctx.optimal and bool(ctx.inst.red_lines) and _one_year(ctx),
         rule="with an optimal deal and red lines (one-year instances; its own rule in "
         "`analyses.red_line_costs.applicable`)"),
    Step("lever_context", "each lever's object and its no-deal and calibration-year settings", _lever_context),
    Step("free_optimum", "what the instance's fixed terms cost against every lever free", _free_optimum,
         when=lambda ctx: has_fixed_terms(ctx.inst) and _one_year(ctx),
         rule="when the instance fixes levers (up to a size; one-year instances)"),
)

def robustness_rule() -> str:
    return (f"`run` solves {DEFAULT_DRAWS} draws of the instance's `uncertainty:` inputs (`--robustness N` sets the "
            "number, 0 turns them off; `--seed S` the seed) when the instance declares some, the objective is "
            f"min_deficit (the draws are re-solved on the command's one built model) and the model has at most "
            f"{RUN_FRONTIER_MAX_CHOICES} yes/no choices and {RUN_FRONTIER_MAX_LEVERS:,} levers; over a horizon "
            f"{HORIZON_DRAWS} draws by default, each rebuilding the multi-year model (any objective; the size limits "
            "apply to one year)")


def _wants_robustness(ctx: Context) -> bool:
    drawn = ctx.model.base if isinstance(ctx.model, HorizonModel) else ctx.inst     # a year's instance has no ranges
    return (ctx.options.robustness > 0 and bool(drawn.uncertainty)
            and (not _one_year(ctx) or (ctx.options.objective or ctx.inst.settings.objective) == "min_deficit"))


def _robustness(ctx: Context) -> DealRobustness:
    choices, levers = _size(ctx)
    if choices <= RUN_FRONTIER_MAX_CHOICES and levers <= RUN_FRONTIER_MAX_LEVERS:
        import time
        t0 = time.perf_counter()
        if isinstance(ctx.model, HorizonModel):      # each draw rebuilds the multi-year model (`run.horizon_draws`)
            hz = ctx.model.horizon
            found = run_robustness(ctx.model, ctx.options.robustness, ctx.options.seed,
                                   solve=partial(solve_draw, sides=True), inst=ctx.model.base)
            found.years = f"{hz.first_year}-{hz.last_year}"
        else:
            found = run_robustness(ctx.model, ctx.options.robustness, ctx.options.seed)
        if ctx.results is not None:
            ctx.results.timings["robustness"] = time.perf_counter() - t0      # timings.json
        return found
    return DealRobustness(draws=0, seed=ctx.options.seed, skipped=(
        f"the model has {choices:,} yes/no choices and {levers:,} levers, and `run` draws only up to "
        f"{RUN_FRONTIER_MAX_CHOICES} and {RUN_FRONTIER_MAX_LEVERS:,}; `solve.py sweep --monte-carlo N` draws any size"))


def assumption_rank_rule() -> str:
    return ("`run` moves each assumption source down and up, one at a time, and re-solves the deal at both ends, "
            "with an optimal deal, one-year instances and the min_deficit objective (the swings are re-solved on the command's one built "
            f"model) when the re-solves fit in {RANK_BUDGET:g} s (`analyses.assumption_rank.applicable`); "
            "--no-assumption-rank turns it off")


def _assumption_rank(ctx: Context) -> AssumptionRank:
    import time
    objective = ctx.options.objective or ctx.inst.settings.objective
    why_not = assumptions_ranked(ctx.inst, objective, _results(ctx).timings.get("solve", 0.0))
    if why_not:
        return not_ranked(ctx.inst, why_not)
    t0 = time.perf_counter()
    found = rank_assumptions(ctx.model, _verified(ctx).deal)
    _results(ctx).timings["assumption_rank"] = time.perf_counter() - t0      # timings.json
    return found


RUN = CORE + (
    Step("frontier", "the frontier, the Nash deal and the zone of possible agreement", _run_frontier,
         when=lambda ctx: ctx.options.frontier_points > 0 and ctx.results is not None
         and ctx.results.status == "optimal" and _one_year(ctx), rule=frontier_rule()),
    Step("robustness", "draws of the instance's uncertainty: how many give a deal, which side walks away in the "
         "rest, which input separates deal from no deal",
         _robustness, when=_wants_robustness,
         rule=robustness_rule()),
    Step("assumption_rank", "each assumption source moved down and up, one at a time, the deal re-solved at both "
         "ends: the assumptions ranked by their influence on the deal", _assumption_rank,
         when=lambda ctx: ctx.options.assumption_rank and ctx.optimal and _one_year(ctx), rule=assumption_rank_rule()),
)

FRONTIER = CORE + (
    Step("frontier", "the frontier with the points asked for, the Nash deal and the zone", _frontier),
)

def _policy_curve(ctx: Context) -> PolicyCurve:
    assert ctx.options.lever is not None
    lever, values = ctx.options.lever
    return policy_curve(ctx.model, lever, values, _verified(ctx).deal if ctx.verified is not None else None)


# Then the draws, by `jobs.sweep` (the sweep summary fills `Results.sweep`).
SWEEP = CORE + (
    Step("policy_curve", "one lever held at each value asked for, the rest negotiated: the balances and both "
         "sides' gains against it", _policy_curve, when=lambda ctx: ctx.options.lever is not None,
         rule="with --lever"),
)


# -- alternatives and evaluate: results of their own --------------------------------------------

def _search(ctx: Context) -> None:
    o = ctx.options
    ctx.alternatives = find_alternatives(ctx.model, count=o.count, within=o.within, min_difference=o.min_difference,
                                         min_gain=o.min_gain)


def _found(ctx: Context) -> Alternatives:
    assert ctx.alternatives is not None
    return ctx.alternatives


def _evaluate(ctx: Context) -> None:
    assert ctx.options.offer is not None, "`evaluate` needs an offer"
    ctx.evaluation = evaluate_offer(ctx.model, ctx.options.offer)


def _offer_robustness(ctx: Context) -> OfferRobustness:
    assert ctx.options.offer is not None, "`evaluate` needs an offer"
    return offer_robustness(ctx.inst, ctx.options.offer, ctx.options.robustness, ctx.options.seed)


def _evaluation(ctx: Context) -> OfferEvaluation:
    assert ctx.evaluation is not None
    return ctx.evaluation


def _named(solve: Solved, explanation: str) -> Solved:
    return replace(solve, message=explanation) if solve.status == "unbounded" else solve


def _completion_named(ctx: Context) -> Completion:
    c, why = _evaluation(ctx).completion, unbounded_explanation(ctx.inst)
    best = _named(c.home_best, why) if c.home_best is not None else None
    return replace(c, message=why if c.status == "unbounded" else c.message, home_best=best)


def _amendment_named(ctx: Context) -> Amendment:
    a = _evaluation(ctx).amendment
    assert a is not None
    return replace(a, message=unbounded_explanation(ctx.inst))


def _completion_unbounded(ctx: Context) -> bool:
    c = _evaluation(ctx).completion
    return c.status == "unbounded" or (c.home_best is not None and c.home_best.status == "unbounded")


def _amendment_unbounded(ctx: Context) -> bool:
    a = _evaluation(ctx).amendment
    return a is not None and a.status == "unbounded"


ALTERNATIVES = (
    Step("alternatives", "up to `count` distinct packages within `within` of the best deficit, best first, each "
         "verified outside the solver; the equivalent offers marked", _search),
    Step("message", "the levers without a limit, named", lambda ctx: unbounded_explanation(ctx.inst),
         when=lambda ctx: _found(ctx).status == "unbounded", rule="when the best deal is unbounded"),
)

EVALUATE = (
    Step("evaluation", "the offer as stated, its best completion (and the home-best one), its distance to the "
         "frontier and, when it is not acceptable, the smallest change that makes it so; every deal verified",
         _evaluate),
    Step("completion", "the levers without a limit, named", _completion_named, when=_completion_unbounded,
         rule="when the completion or the home-best completion is unbounded"),
    Step("amendment", "the levers without a limit, named", _amendment_named, when=_amendment_unbounded,
         rule="when the search for the smallest change is unbounded"),
    Step("robustness", "the offer as stated, checked in each draw of the instance's uncertainty: in how many it "
         "stays acceptable, and what breaks it in the rest", _offer_robustness,
         when=lambda ctx: ctx.options.robustness > 0 and bool(ctx.inst.uncertainty),
         rule="with --robustness N above 0 (default 50) and an uncertainty block"),
)

PIPELINES = {"run": RUN, "frontier": FRONTIER, "sweep": SWEEP, "compare": CORE, "alternatives": ALTERNATIVES,
             "evaluate": EVALUATE}
SWEEP_FILLS = ("sweep",)    # what `jobs.sweep` adds after its pipeline


def solve_instance(inst: Instance, objective: str | None = None, time_limit: float | None = None,
                   export_lp: str | Path | None = None, concessions: bool = True) -> Results:
    """Build the model of `inst` and run the steps of a solve (CORE): verified results with the
    analyses of the deal, or, without a deal, the diagnosis (never raises for infeasible or
    unbounded). `concessions=False` leaves out what each concession is worth."""
    ctx = Context(command_model(inst, time_limit), Options(objective, time_limit, export_lp, concessions))
    return execute(CORE, ctx)
