"""What the two negotiation commands hand their reports, declared beside the run's sections:
`alternatives` (`Alternatives`: distinct near-optimal packages) and `evaluate`
(`OfferEvaluation`: an offer as stated, its best completion, its distance to the frontier and
the smallest change that makes it acceptable). Plain data (no Pyomo, no solver, no instance):
every label, party and setting a report shows is resolved by the analysis. The field names are
alternatives.json's and evaluation.json's keys (a field whose key is a Python word, `from`,
declares its key in its metadata: see `KEY`), written by `results.rounded` as results.json is.
"""
from __future__ import annotations

from dataclasses import dataclass, field

KEY = "key"          # a field's metadata entry naming its JSON key where the key is not a Python name

Setting = str | float | None     # an option's label or name, 'yes'/'no', or an amount in the lever's unit


@dataclass
class InstanceName:
    """Which instance a negotiation report is about."""

    name: str
    title: str
    file: str
    participation: bool = True                # whether every deal had to leave each side no worse off
    participation_measure: dict[str, str] = field(default_factory=dict)   # party -> 'payoff' or 'welfare'


@dataclass
class Given:
    """A lever that differs from no deal, in the instance's words (`deal_terms.gives`)."""

    lever: str               # 'family.key', as in packages.csv's columns
    label: str
    value: Setting
    unit: str


@dataclass
class LeverSetting:
    """A lever of a deal in words, whether in use or not (`deal_terms.settings`)."""

    label: str
    party: str
    value: Setting
    unit: str


# -- alternatives --------------------------------------------------------------------------


@dataclass
class Package:
    """One distinct package: its outcome, each side's gain over no deal, and its levers."""

    rank: int
    deficit: float
    home_payoff: float
    partner_payoff: float
    home_gain: float
    partner_gain: float
    verified: bool
    max_violation: float
    equivalent: bool
    gives: dict[str, list[Given]]             # party -> levers that differ from no deal
    levers: dict[str, Setting]                # 'family.key' -> the option's name, 1/0, the amount
    settings: dict[str, LeverSetting]         # 'family.key' -> the setting in words


@dataclass
class Alternatives:
    """Up to `count` distinct packages within `within` (a share) of the best deficit, best first."""

    status: str                               # 'ok', or the first solve's status (no package)
    message: str
    count: int
    within: float
    min_difference: float | None              # the limit rule's share, when asked for (else the economic rule)
    best_deficit: float | None
    band: float | None                        # the largest deficit allowed, USD
    stop_reason: str
    method: str
    parties: dict[str, str]                   # 'home'/'partner' -> display name
    instance: InstanceName
    min_differences: dict[str, float]         # 'family.key' -> the smallest change that makes two packages distinct
    min_gain: float | None = None             # the economic rule: this share of the larger side's gain ...
    min_gain_usd: float | None = None         # ... with package 1, in USD
    equivalent: list[int] = field(default_factory=list)     # the ranks of the equivalent offers
    packages: list[Package] = field(default_factory=list)


# -- evaluating an offer ------------------------------------------------------------------------


@dataclass
class OfferLever:
    lever: str
    label: str
    party: str
    value: Setting
    unit: str


@dataclass
class OfferSource:
    kind: str
    text: str
    year: int | None = None


@dataclass
class OfferSummary:
    """The offer as its file states it, in the instance's words."""

    name: str
    title: str
    file: str
    tabled_by: str | None
    note: str
    levers: list[OfferLever]
    sources: dict[str, OfferSource] = field(default_factory=dict)


@dataclass
class Broken:
    """A constraint the offer as stated breaks, and by how much (`amount`, in its unit)."""

    name: str
    label: str
    party: str | None
    kind: str
    value: float
    sense: str
    bound: float
    unit: str
    amount: float
    # The constraint as the instance states it: a red line on several segments is one rule broken on
    # several lines; other constraints are their own rule.
    rule: str = ""
    rule_label: str = ""


def by_rule(broken: list[Broken]) -> dict[str, list[Broken]]:
    """The broken lines by the rule they belong to, in order: a red line the instance states on
    several segments is one rule, however many of its lines an offer breaks."""
    out: dict[str, list[Broken]] = {}
    for b in broken:
        out.setdefault(b.rule or b.name, []).append(b)
    return out


@dataclass
class Change:
    """A lever set differently in two deals (from one setting to another)."""

    lever: str
    label: str
    party: str
    before: Setting = field(metadata={KEY: "from"})
    to: Setting
    unit: str


@dataclass
class Outcome:
    """A deal's outcome: the shown metrics, each side's payoff and gain over no deal, what each gives."""

    metrics: dict[str, float]
    payoffs: dict[str, float]
    gains: dict[str, float]
    gives: dict[str, list[Given]]
    welfare_gains: dict[str, float] = field(default_factory=dict)   # party -> welfare over no deal


@dataclass
class Stated(Outcome):
    """The offer as stated: acceptable, or the constraints it breaks."""

    acceptable: bool = False
    broken: list[Broken] = field(default_factory=list)
    max_violation: float = 0.0


@dataclass
class Solved:
    """A solve of the evaluation: its status, and the verified deal when it has one."""

    status: str
    message: str
    metrics: dict[str, float] | None = None
    payoffs: dict[str, float] | None = None
    gains: dict[str, float] | None = None
    gives: dict[str, list[Given]] | None = None
    welfare_gains: dict[str, float] | None = None
    verified: bool | None = None
    max_violation: float | None = None
    added: list[Change] = field(default_factory=list)      # levers the offer left out that the deal sets

    @property
    def has_deal(self) -> bool:
        return self.metrics is not None


@dataclass
class Completion(Solved):
    """The best completion; with floors (neither side below the offer as stated) when the offer
    is acceptable, and then beside it the home-best completion without the floors."""

    floors: bool = False
    no_worse: dict[str, bool] | None = None
    home_best: Solved | None = None


@dataclass
class DealSummary:
    deficit: float
    gains: dict[str, float]
    verified: bool
    max_violation: float


@dataclass
class Distance:
    """From a point (each side's payoff): the most both sides can gain at once, and each side's room."""

    point: dict[str, float] = field(metadata={KEY: "from"})
    joint_gain: float | None
    joint_status: str
    on_frontier: bool
    joint_deal: DealSummary | None
    home_room: float | None
    home_status: str
    home_best_deal: DealSummary | None
    partner_room: float | None
    partner_status: str
    partner_best_deal: DealSummary | None

    def room(self, party: str) -> float | None:
        return self.home_room if party == "home" else self.partner_room

    def room_status(self, party: str) -> str:
        return self.home_status if party == "home" else self.partner_status


@dataclass
class FrontierDistance:
    from_stated: Distance
    from_completion: Distance | None = None


@dataclass
class Amendment(Solved):
    """The smallest change to the offer's levers that makes it acceptable (`changes` None when
    none was found: `message` says why)."""

    scope: str = ""
    objective: float | None = None
    changes: list[Change] | None = None


@dataclass
class OfferRobustness:
    """The offer as stated, checked in each draw of the instance's uncertainty (no solve: its
    levers are fixed): in how many draws it stays acceptable, and what breaks it in the rest."""

    draws: int
    seed: int
    acceptable: int = 0
    broken_by: dict[str, int] = field(default_factory=dict)     # a rule's label -> draws it breaks
    whose: dict[str, int] = field(default_factory=dict)         # party -> draws in which its constraints break
    skipped: str = ""                                           # why no draws were checked


@dataclass
class OfferEvaluation:
    offer: OfferSummary
    parties: dict[str, str]
    instance: InstanceName
    stated: Stated
    completion: Completion
    frontier: FrontierDistance
    amendment: Amendment | None = None
    method: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    status: str = "optimal"     # 'unbounded' if any solve of the evaluation was, 'error' if one failed
    robustness: OfferRobustness | None = None   # the offer as stated over draws of the instance's uncertainty

    def solves(self) -> list[Solved]:
        """The solves whose message a report shows (completion, home-best completion, amendment)."""
        return [s for s in (self.completion, self.completion.home_best, self.amendment) if s is not None]


# -- offers side by side ------------------------------------------------------------------------


@dataclass
class OfferLine:
    """One column of the side-by-side comparison: no deal, the optimum `run` finds, or an offer
    as stated (with its best completion beside it)."""

    name: str
    title: str
    kind: str                                   # 'no_deal', 'optimum' or 'offer'
    deficit: float | None                       # USD; None: no deal was found (the optimum's solve)
    gains: dict[str, float] | None              # party -> payoff over no deal, USD
    welfare_gains: dict[str, float] | None      # party -> welfare over no deal, USD
    acceptable: bool | None                     # None for no deal itself
    broken: list[str] = field(default_factory=list)   # the rules broken, as the instance states them
    broken_lines: int = 0                       # how many lines of those rules
    completion_deficit: float | None = None     # the offer's best completion (offers only)
    completion_gains: dict[str, float] | None = None
    status: str = "optimal"                     # the optimum's solve, or the offer's evaluation
    draws: int = 0                              # draws of the instance's uncertainty the offer was checked in ...
    draws_acceptable: int | None = None         # ... and how many it stays acceptable in


@dataclass
class OfferComparison:
    """Several offers on one instance, side by side with no deal and the optimum, each offer
    evaluated in full (`evaluations`, in the order given)."""

    parties: dict[str, str]
    instance: InstanceName
    lines: list[OfferLine]
    evaluations: list[OfferEvaluation]
    status: str = "optimal"     # 'unbounded' or 'error' if any evaluation, or the optimum's solve, was


__all__ = ["KEY", "by_rule", "Alternatives", "Amendment", "Broken", "Change", "Completion", "DealSummary", "Distance",
           "FrontierDistance", "Given", "InstanceName", "LeverSetting", "OfferComparison", "OfferEvaluation", "OfferLever", "OfferRobustness", "OfferLine",
           "OfferSource", "OfferSummary", "Outcome", "Package", "Setting", "Solved", "Stated"]
