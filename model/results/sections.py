"""What each analysis of a solve hands the reports, declared in one place: one dataclass per
analysis, with the fields its report sections read. Plain data (no Pyomo, no solver); the
field names are results.json's keys."""
from __future__ import annotations

from dataclasses import dataclass, field

from model.results.negotiation import Change

# -- the instance and how the deal was solved --------------------------------------------


@dataclass
class InstanceSummary:
    name: str
    title: str
    question: str
    file: str
    parties: dict[str, str]           # 'home'/'partner' -> display name
    content_hash: str
    response: str
    participation: bool
    # per party, what participation (and the partner's second stage) measures: 'payoff' or 'welfare'
    participation_measure: dict[str, str] = field(default_factory=lambda: {"home": "payoff", "partner": "payoff"})
    # the bilateral balances the instance shows, narrowest first: metric -> what it is in words
    # ('sector_deficit': 'deficit in vehicles with Japan'; 'all_goods_deficit' only with `all_goods`)
    balances: dict[str, str] = field(default_factory=dict)
    # third country -> whether the instance states home exports to it (else its 'balance' is its imports alone)
    third_exports_given: dict[str, bool] = field(default_factory=dict)
    # the modelled lines in words ('vehicles and auto parts'): what the buyers' price change averages over
    goods: str = ""


@dataclass
class Objective:
    name: str                         # min_deficit, weighted, nash
    metric: str                       # what was optimized (a metric, 'weighted_sum', 'nash_product')
    value: float | None
    unit: str
    sense: str                        # minimize or maximize


@dataclass
class Repair:
    """How the solver's solution was repaired before it was verified (`handle._polish`)."""

    how: str
    integrality_error: float | None = None


@dataclass
class Verification:
    max_violation: float | None
    ok: bool | None
    tolerance: float
    worst: str | None
    checks: int
    repair: Repair | None = None


@dataclass
class SolverInfo:
    name: str
    version: str
    mip_rel_gap_target: float
    mip_abs_gap_target: float
    threads: int
    mip_gap: float | None = None


@dataclass
class ShadowPrices:
    source: str
    status: str
    unit: str


@dataclass
class CoefficientEntry:
    row: str
    variable: str
    value: float


@dataclass
class Coefficients:
    """The range of the model's coefficients; `ok` False outside the band HiGHS handles well."""

    min: float | None
    max: float | None
    ok: bool
    smallest: CoefficientEntry | None = None
    largest: CoefficientEntry | None = None


@dataclass
class NashInfo:
    weights: dict[str, float] = field(default_factory=dict)
    cuts: int = 0
    relative_gap: float | None = None
    tolerance: float | None = None
    gains: dict[str, float] | None = None
    note: str = ""


@dataclass
class SolveStages:
    """How the deal was solved: the objective, the model's scaling, the two stages, the repair."""

    objective: str
    coefficients: Coefficients | None = None
    stage_one_deficit: float | None = None
    lexicographic_tolerance: float | None = None
    stage_two: str = ""
    stage_two_status: str | None = None
    stage_two_time_limit: float | None = None
    stage_two_fixed: int = 0
    repair: str = ""
    integrality_error: float | None = None
    noise: str = ""
    objective_metric: str | None = None
    objective_value: float | None = None
    objective_unit: str = ""
    weights: dict[str, float] = field(default_factory=dict)
    nash: NashInfo | None = None


@dataclass
class Assumption:
    path: str
    value: float
    unit: str
    source: str
    why: str


@dataclass
class InputRow:
    path: str
    value: float
    unit: str
    source: str
    kind: str                         # published, assumption, unknown
    citation: str
    year: int | None


# -- what the deal does --------------------------------------------------------------------


@dataclass
class BridgeStep:
    step: str
    label: str
    change: float | None              # USD, against the step before (None: the levels' rows)
    level: float


@dataclass
class QuotaRow:
    line: str
    label: str
    option: str
    option_label: str
    kind: str                         # tariff-rate quota, export restraint
    quota: float
    imports: float
    fill: float | None
    binds: bool
    rent: float
    rent_holder: str
    tariff_equivalent: float
    in_quota_rate: float | None
    out_of_quota_rate: float | None
    # Production shifted to home plants on the line (no licence needed); the figures above are the
    # model's statement, linear in the shift; the line solved exactly at the shift (None: no shift):
    shifted: float = 0.0
    exact_imports: float | None = None
    exact_rent: float | None = None
    exact_tariff_equivalent: float | None = None


@dataclass
class PassThroughLine:
    line: str
    label: str
    option: str
    option_label: str
    pass_through: float
    supply_price_change: float
    set_by: str
    imposed: bool
    imposed_value: float | None
    segments: dict[str, float]


@dataclass
class PassThrough:
    deal: list[PassThroughLine]
    no_deal: list[PassThroughLine]


@dataclass
class Flow:
    units: float
    value: float


@dataclass
class Share:
    units: float | None
    value: float | None


@dataclass
class CountryChange:
    country: str
    label: str
    units: float
    value: float
    units_after: float
    deficit_after: float


@dataclass
class Diversion:
    """Trade creation and diversion, from one setting to another (the deal against no deal)."""

    partner: Flow
    creation: Flow
    diversion: Flow
    third_countries: Flow
    home_production: float
    countries: list[CountryChange]
    balances: dict[str, float]
    diverted_share: Share
    balance_share: float | None


@dataclass
class RedLineRow:
    name: str
    label: str
    party: str
    sense: str
    metric: str
    bound: float
    no_deal: float
    breached_by_no_deal: bool
    extreme: float | None = None
    can_bind: bool | None = None


@dataclass
class RedLineReview:
    lines: list[RedLineRow]
    note: str


@dataclass
class RedLineCost:
    """The deal with one red line set aside (`entry`: the instance file's red line, all its lines
    on every segment; 'all': every red line): its deficit and each side's payoff against the deal,
    and the terms that change, which are the terms that red line sets."""

    entry: str
    label: str
    party: str | None
    status: str                                 # the re-solve's status
    deficit: float | None = None                # USD, without the red line
    deficit_change: float | None = None         # USD: without minus with (negative: the line costs deficit)
    payoff_change: dict[str, float] | None = None    # party -> payoff without minus with, USD
    terms: list[Change] = field(default_factory=list)     # levers that differ, from the deal's to without
    verified: bool | None = None


@dataclass
class RedLineCosts:
    """What the red lines cost: the deal without any red line, then without each one alone."""

    method: str
    without_all: RedLineCost | None = None
    each: list[RedLineCost] = field(default_factory=list)
    skipped: str = ""                           # why not computed in this run


@dataclass
class SwungInput:
    """One input of an assumption source as the ranking moved it: its value and both ends (in
    the unit it is written in), and how the ends were set ('range': the instance's `uncertainty:`
    range; 'default': the default swing, kept within the field's valid range)."""

    path: str
    label: str
    unit: str
    value: float
    low: float
    high: float
    how: str


@dataclass
class SwingEnd:
    """The deal re-solved with every input of a source at one end: the objective, or who walks away."""

    status: str                                 # the re-solve's status ('optimal' with a verified deal)
    deal: bool = False                          # a verified deal remains
    objective: float | None = None              # the objective's value (its unit in `AssumptionRank.unit`)
    walks_away: str = ""                        # without a deal: home, partner, either, both, market, undetermined
    walks_away_by: str = ""                     # participation or positions (`analyses.deal_robustness`)


@dataclass
class AssumptionSwing:
    """One assumption source moved down then up, all its inputs together, the deal re-solved at each end."""

    source: str
    why: str                                    # the source's text: why the numbers are assumed
    inputs: list[SwungInput]
    low: SwingEnd
    high: SwingEnd
    swing: float                                # the objective's spread over the deal and the ends with a deal
    lost: int                                   # ends without a deal (0, 1 or 2)
    left: int = 0                               # its inputs left at their value (no re-solvable swing)


@dataclass
class SkippedSource:
    """An assumption source the ranking did not move, and why (no input a re-solve can change, ...)."""

    source: str
    why: str                                    # the source's text
    inputs: int
    reason: str


@dataclass
class AssumptionRank:
    """The instance's assumptions ranked by their influence on the deal (`analyses.assumption_rank`):
    each assumption source moved down and up, one at a time, the deal re-solved at both ends;
    a lost deal first, then the objective's swing, largest first. `skipped`: why not computed."""

    method: str
    objective: str = ""                         # the metric optimized ('deficit')
    unit: str = "USD"
    base: float | None = None                   # the deal's objective
    inputs: int = 0                             # the instance's inputs ...
    assumptions: int = 0                        # ... of which assumptions ...
    sources: int = 0                            # ... resting on this many assumption sources
    ranked: list[AssumptionSwing] = field(default_factory=list)
    not_moved: list[SkippedSource] = field(default_factory=list)
    skipped: str = ""


@dataclass
class CurvePoint:
    """One value of the lever held fixed, the rest negotiated: the outcome, or the status without a deal."""

    value: float                                # the lever's value (the unit of `PolicyCurve.unit`; rates as fractions)
    setting: str                                # the value in words ('flat 15.0%', '20,000 vehicles', 'yes')
    status: str
    deficit: float | None = None                # USD
    sector_deficit: float | None = None         # USD: the balance in the modelled lines (no purchases)
    gains: dict[str, float] | None = None       # party -> payoff over no deal, USD
    welfare_gains: dict[str, float] | None = None
    verified: bool | None = None


@dataclass
class PolicyCurve:
    """A lever held at each of several values (`sweep --lever`), every other lever negotiated as `run`
    does: the balances and both sides' gains against the lever's value."""

    lever: str                                  # 'family.key'
    label: str
    party: str                                  # the side that sets the lever
    unit: str                                   # the lever's unit ('fraction' for rates)
    points: list[CurvePoint]
    deal_value: float | None = None             # the lever's value in the deal `run` finds
    method: str = ""


@dataclass
class BoundRange:
    name: str
    low: float | None
    high: float | None


@dataclass
class CostRange:
    lever: str
    cost: float | None
    low: float | None
    high: float | None


@dataclass
class Ranging:
    source: str
    bounds: list[BoundRange]
    lever_costs: list[CostRange]


@dataclass
class Interval:
    low: float | None
    high: float | None


@dataclass
class Explanation:
    """A binding constraint's shadow price in words."""

    name: str
    label: str
    party: str | None
    kind: str
    step: float
    unit: str
    deficit_change: float | None
    sentence: str
    range: Interval | None = None
    step_key: str = ""                # whose realistic step `step` is (a lever family, 'money'; '' by unit)
    step_stated: bool = False         # the instance states it (`settings.steps`), else a default
    step_money: float | None = None   # a money step counted in a good's unit: the step in USD


@dataclass
class LeverContext:
    """What a lever is set against: its object, its value with no deal and in the calibration year."""

    name: str
    index: str
    group: str
    item: str
    no_deal: float | None = None
    no_deal_choice: str | None = None
    baseline: float | None = None
    unit_value: float | None = None
    additional_share: float | None = None


# -- negotiation analyses ------------------------------------------------------------------


@dataclass
class ConcessionValue:
    lever: str                  # 'commitment.toyota_dealers.suv': family short name and key
    family: str
    label: str
    party: str                  # the side that gives the concession
    kind: str                   # option, switch or quantity
    status: str                 # 'ok', 'fixed' (by the instance), 'no_move', 'not_computed'
    step: str = ""              # the step in words
    direction: str = ""         # 'last' (the step made at the optimum) or 'next' (one more)
    with_setting: str = ""
    without_setting: str = ""
    size: float | None = None   # an amount's step, base units
    unit: str = ""
    deficit_change: float | None = None    # deficit with the step - without, USD
    home_value: float | None = None        # home payoff with the step - without, USD
    partner_value: float | None = None
    home_per_unit: float | None = None     # amounts: per base unit of the lever
    partner_per_unit: float | None = None
    trade: str = ""             # integrative, win-win, distributive, costly, ...
    verified: bool | None = None
    note: str = ""


@dataclass
class ConcessionValues:
    method: str = ""
    rule: str = ""
    rows: list[ConcessionValue] = field(default_factory=list)
    skipped: str = ""           # why they were not computed ('' when they were)


@dataclass
class FrontierPoint:
    deficit: float
    home_payoff: float
    partner_payoff: float
    home_gain: float
    partner_gain: float
    tariffs: str
    max_violation: float
    verified: bool
    index: int = 0
    # the tariffs in the instance's words, in the order of `tariffs`: 'passenger cars: flat 15.0%; ...'
    tariff_words: str = ""


@dataclass
class Mark:
    deficit: float
    home_gain: float
    partner_gain: float


@dataclass
class Zopa:
    deficit: Interval
    home_gain: Interval
    partner_gain: Interval


@dataclass
class ShortfallItem:
    label: str
    amount: float
    unit: str


@dataclass
class Shortfall:
    """How far apart the sides are when there is no zone of possible agreement."""

    kind: str                         # participation, red_lines
    total: float | None = None
    by_party: dict[str, float] = field(default_factory=dict)
    note: str = ""
    relaxations: list[ShortfallItem] = field(default_factory=list)


@dataclass
class Frontier:
    status: str                       # 'ok', 'no_zopa' (infeasible), or a solve's 'unbounded', 'time_limit', 'error'
    points: list[FrontierPoint] = field(default_factory=list)
    marks: dict[str, Mark] = field(default_factory=dict)
    zopa: Zopa | None = None
    shortfall: Shortfall | None = None
    message: str = ""
    added_by: str = ""                # the rule that added it to `run` ('' for `solve.py frontier`)
    skipped: str = ""                 # why `run` left it out ('' when computed)


@dataclass
class FreeLever:
    name: str
    index: str
    label: str
    value: float
    unit: str
    choice: str | None = None


@dataclass
class FixedFree:
    fixed: float | None
    free: float | None


@dataclass
class FreeOptimum:
    """What an instance's fixed terms cost against the deal with every lever free."""

    status: str = ""
    metric: str = ""
    fixed: float | None = None
    free: float | None = None
    cost: float | None = None
    metrics: dict[str, FixedFree] = field(default_factory=dict)
    levers: list[FreeLever] = field(default_factory=list)
    skipped: str = ""


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
    steps: float = 0.0    # the amount in steps of its unit (what the relaxation minimizes)
    relaxed_bound: float = 0.0


@dataclass
class DealLever:
    """A lever a deal uses (diagnosis, offers): its family, key, party, words and value."""

    name: str
    index: str
    party: str
    label: str
    unit: str
    value: float
    choice: str | None = None


@dataclass
class Relaxed:
    """One smallest relaxation (overall, or one party's alone) and the deal it allows."""

    scope: str                              # 'overall', 'home' or 'partner'
    status: str                             # relaxable, not_relaxable
    relaxations: list[Relaxation] = field(default_factory=list)
    steps: float = 0.0
    deal: dict[str, float] | None = None    # the relaxed deal's headline metrics
    levers: list[DealLever] = field(default_factory=list)
    verification_of_relaxed_deal: float | None = None


@dataclass
class Conflict:
    name: str
    label: str
    kind: str
    party: str | None


@dataclass
class ConstraintLabel:
    name: str
    label: str


@dataclass
class Diagnosis:
    """Why no deal exists: the smallest relaxation overall and per party, and the conflict set."""

    status: str                        # 'relaxable' or 'not_relaxable' (overall)
    families: list[str]
    steps: dict[str, float]            # unit -> one step, for the units present
    relaxations: list[Relaxation]
    deal: dict[str, float] | None
    levers: list[DealLever]
    verification_of_relaxed_deal: float | None
    by_party: dict[str, Relaxed]
    iis: list[Conflict] | None
    iis_note: str
    iis_model_rows: int = 0
    labels: list[ConstraintLabel] = field(default_factory=list)


# -- sweeps ------------------------------------------------------------------------------------


@dataclass
class Histogram:
    metric: str
    edges: list[float]
    counts: list[int]
    draws: int


@dataclass
class SensitivityEnd:
    percentile: float
    value: float
    status: str
    deficit: float | None
    pv_deficit: float | None = None       # an instance with a horizon: the deficit's present value (`deficit`: the last year's)


@dataclass
class Sensitivity:
    path: str
    label: str
    unit: str
    base: float | None
    base_deficit: float | None
    low: SensitivityEnd
    high: SensitivityEnd
    swing: float | None
    pv_swing: float | None = None         # an instance with a horizon: the swing of the deficit's present value


@dataclass
class GridPoint:
    values: dict[str, float]
    draws: int
    deals: int
    deficit: float | None
    status: str | None
    statuses: dict[str, int]
    levers: dict[str, object]
    # An instance with a horizon: the present values over its years (median over the point's draws),
    # by `analyses.sweep_summary.PV_OUTCOMES` key; `deficit` is then its last year's.
    present_values: dict[str, float] = field(default_factory=dict)


@dataclass
class GridLever:
    column: str
    label: str
    kind: str
    unit: str
    options: dict[str, str]


@dataclass
class LeverFrequency:
    lever: str
    choice: str
    share: float
    label: str
    median_when_used: float | None = None


@dataclass
class Uncertain:
    path: str
    distribution: str
    low: float
    high: float
    center: float
    sd: float | None
    unit: str


@dataclass
class Quantiles:
    q05: float
    q25: float
    q50: float
    q75: float
    q95: float
    mean: float
    min: float
    max: float


@dataclass
class GridSummary:
    values: dict[str, float]
    draws: int
    deals: int
    deficit: Quantiles | None
    overall_deficit: Quantiles | None = None
    third_imports_value: Quantiles | None = None


@dataclass
class SweepSummary:
    draws: int
    seed: int
    monte_carlo: int
    params: dict[str, list[float]]
    uncertain: list[Uncertain]
    status: dict[str, int]
    verified: int
    max_violation: float | None
    method: dict[str, int]
    quantiles: dict[str, Quantiles | None]
    levers: list[LeverFrequency]
    by_grid_point: list[GridSummary] = field(default_factory=list)
    histogram: Histogram | None = None
    sensitivity: list[Sensitivity] = field(default_factory=list)
    grid: list[GridPoint] = field(default_factory=list)
    grid_levers: list[GridLever] = field(default_factory=list)
    robustness: DealRobustness | None = None        # deal or no deal over the draws
    found: int | None = None          # draws whose solve gave a deal to verify (verified: those that passed)
    # each swept parameter in the instance's words ('SUVs and crossovers: elasticity') and its unit
    param_labels: dict[str, str] = field(default_factory=dict)
    param_units: dict[str, str] = field(default_factory=dict)


# -- robustness: draws of the instance's uncertainty, deal or no deal ------------------------


@dataclass
class DealBin:
    """A part of an input's range (its field's own unit): the draws in it and how many gave a deal."""

    low: float
    high: float
    draws: int
    deals: int


@dataclass
class InputSplit:
    """One drawn input against deal or no deal: the draws sorted by its value and halved at
    `split`; the deals in each half; `separation` = the share with a deal in the lower half minus
    that in the upper half (positive: deals are likelier when the input is low)."""

    path: str
    label: str
    unit: str
    split: float
    low_draws: int
    low_deals: int
    high_draws: int
    high_deals: int
    separation: float
    bins: list[DealBin] = field(default_factory=list)


@dataclass
class DealRobustness:
    """How many draws of the instance's uncertainty give a (verified) deal, who walks away in the
    draws without one (status infeasible), and the inputs that separate deal from no deal, most
    separating first (`analyses.deal_robustness`). `skipped`: why no draws were solved."""

    draws: int
    seed: int
    deals: int = 0
    no_deal: int = 0
    other: dict[str, int] = field(default_factory=dict)          # neither: status -> draws
    walks_away: dict[str, int] = field(default_factory=dict)     # home, partner, either, both, market, undetermined
    by_participation: dict[str, int] = field(default_factory=dict)   # of a side's: its participation alone
    inputs: list[InputSplit] = field(default_factory=list)
    skipped: str = ""
    method: str = "re-solve"       # each draw re-solved on the built model, or 'rebuild' (a deal over a horizon)
    years: str = ""                # a deal over a horizon: its years ('2025-2034'); participation is in present value

    @property
    def share(self) -> float:
        return self.deals / self.draws if self.draws else 0.0


__all__ = ["InstanceSummary", "Objective", "Repair", "Verification", "SolverInfo", "ShadowPrices", "CoefficientEntry", "Coefficients", "NashInfo", "SolveStages", "Assumption", "InputRow", "BridgeStep", "QuotaRow", "PassThroughLine", "PassThrough", "Flow", "Share", "CountryChange", "Diversion", "RedLineRow", "RedLineReview", "RedLineCost", "RedLineCosts", "SwungInput", "SwingEnd", "AssumptionSwing", "SkippedSource", "AssumptionRank", "CurvePoint", "PolicyCurve", "BoundRange", "CostRange", "Ranging", "Interval", "Explanation", "LeverContext", "ConcessionValue", "ConcessionValues", "FrontierPoint", "Mark", "Zopa", "ShortfallItem", "Shortfall", "Frontier", "FixedFree", "FreeLever", "FreeOptimum", "Relaxation", "DealLever", "Relaxed", "Conflict", "ConstraintLabel", "Diagnosis", "Histogram", "SensitivityEnd", "Sensitivity", "GridPoint", "GridLever", "LeverFrequency", "Uncertain", "Quantiles", "GridSummary", "SweepSummary", "DealBin", "InputSplit", "DealRobustness"]
