"""Which assumptions decide the deal: each assumption source moved down and up, one at a time.

An instance's numbers each name a source; a source of kind `assumption` is a number someone
chose, not one published. This ranks those sources by how much the deal depends on them, as
a tornado chart does, one source at a time:

- every input resting on the source is moved to its low end, the deal re-solved; then to its
  high end, re-solved (the inputs of one source move together: they are one judgement);
- an input's ends are its range in the instance's `uncertainty:` block where it has one;
  otherwise the value DEFAULT_SWING (25%) below and above it, kept within the range the
  schema allows the field (a share stays within 0..1, an elasticity stays negative, a
  capacity non-negative: an end beyond a closed bound is set on it, beyond an open bound
  half-way from the value to it). A value of zero has no relative swing and stays;
- the deal is re-solved on the command's one built model (`resolve.Resolver`, as the draws
  and the red-line costs are), never rebuilt: a source whose inputs a re-solve cannot change
  (the tariff menus' steps, the bound steps, the `uncertainty:` block's own ends), or whose
  swing would change the built model's structure, is not moved, and is counted with why;
- at each end: the objective (the deficit the deal minimizes), or, without a deal, which side
  walks away (`deal_robustness.walks_away`).

Ranked: a source that loses the deal at an end ranks above any that does not (both ends lost
first); then by the objective's swing, the spread of its value over the deal and the ends that
keep one, largest first. One at a time: what two assumptions do together is not measured.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.analyses.deal_robustness import walks_away
from model.analyses.inputs import input_label
from model.analyses.sweep import resolver_for
from model.data.instance import Deal, Instance
from model.data.uncertainty import UnknownField, allowed, unit_factor, with_values
from model.economics.metrics import evaluate
from model.optimization.handle import NegotiationModel
from model.optimization.resolve import NOT_RESOLVED, DrawResult, Resolver
from model.results import AssumptionRank, AssumptionSwing, SkippedSource, SwingEnd, SwungInput

DEFAULT_SWING = 0.25      # an input without an `uncertainty:` range moves this share of its value down and up
MAX_SOURCES = 60          # assumption sources ranked in a run (two re-solves each)
BUDGET = 15.0             # seconds of re-solves a run allows for them (estimated from the solve) ...
RESOLVE_COST = 2.0        # ... a re-solve taking about twice the solve (the option table and rows recomputed)

METHOD = ("Each assumption source moved on its own: every input resting on it to its low end, the deal re-solved, "
          "then to its high end. An input's ends are its `uncertainty:` range where it has one, otherwise "
          f"{DEFAULT_SWING:.0%} below and above its value, kept within the values the field allows (a share within "
          "0..1, an elasticity negative). Ranked by the objective's swing over the deal and both ends, largest "
          "first; a source that loses the deal at an end ranks above any swing. One source at a time: how "
          "assumptions act together is not measured.")


@dataclass(frozen=True)
class _Move:
    """One input of a source and its two ends, in base units."""

    path: str
    unit: str
    factor: float             # base units per written unit
    value: float
    low: float
    high: float
    how: str                  # 'range' or 'default'


def _ends(value: float, path: str, ranges: dict[str, tuple[float, float]]) -> tuple[float, float, str]:
    """(low, high, how) of the input at `path` with base value `value` (module docstring)."""
    if path in ranges:
        lo, hi = ranges[path]
        return lo, hi, "range"
    lo, hi = sorted((value * (1 - DEFAULT_SWING), value * (1 + DEFAULT_SWING)))
    rng = allowed(path)
    if rng is not None:
        if rng.low is not None and rng.below(lo):
            lo = (value + rng.low) / 2 if rng.low_open else rng.low
        if rng.high is not None and rng.above(hi):
            hi = (value + rng.high) / 2 if rng.high_open else rng.high
    return lo, hi, "default"


def plan(inst: Instance) -> tuple[dict[str, list[_Move]], dict[str, int], list[SkippedSource]]:
    """The assumption sources to move, each with its inputs' moves; each such source's inputs left
    at their value (zero, or a field a re-solve cannot change); and the sources not moved, with why."""
    ranges = {u.path: (u.low, u.high) for u in inst.uncertainty}
    by_source: dict[str, list] = {}
    for i in inst.inputs:
        src = inst.sources.get(i.source)
        if src is not None and src.kind == "assumption":
            by_source.setdefault(i.source, []).append(i)
    moves: dict[str, list[_Move]] = {}
    left: dict[str, int] = {}
    skipped: list[SkippedSource] = []
    for key, inputs in by_source.items():
        out, why = [], {"range": 0, "fixed": 0, "zero": 0}
        for i in inputs:
            if i.path.startswith("uncertainty."):
                why["range"] += 1
                continue
            if allowed(i.path) is None:
                why["fixed"] += 1
                continue
            factor = unit_factor(i.unit)
            value = i.value * factor
            lo, hi, how = _ends(value, i.path, ranges)
            if not hi > lo:
                why["zero"] += 1
                continue
            out.append(_Move(i.path, i.unit, factor, value, lo, hi, how))
        if out:
            moves[key] = out
            left[key] = len(inputs) - len(out)
        else:
            skipped.append(SkippedSource(key, inst.sources[key].text, len(inputs), _why_not(why)))
    return moves, left, skipped


def _why_not(why: dict[str, int]) -> str:
    """Why none of a source's inputs moves, as a noun phrase ('inputs a re-solve cannot change')."""
    parts = []
    if why["range"]:
        parts.append("inputs that are the ends of `uncertainty:` ranges, which move nothing in the deal")
    if why["fixed"]:
        parts.append("inputs a re-solve cannot change (tariff menu steps, bound steps, fixed levers, ...)")
    if why["zero"]:
        parts.append(f"inputs of zero, which a swing of {DEFAULT_SWING:.0%} of the value leaves at zero")
    return "; ".join(parts)


def applicable(inst: Instance, objective: str, solve_seconds: float) -> str:
    """'' when `run` ranks the assumptions of `inst`; otherwise why not."""
    if objective != "min_deficit":
        return (f"the ranking re-solves the deal on the built model, which it does for the min_deficit objective, "
                f"not '{objective}'")
    n = len(plan(inst)[0])
    if n > MAX_SOURCES:
        return f"the instance has {n} assumption sources to move, more than the {MAX_SOURCES} ranked in a run"
    seconds = 2 * n * RESOLVE_COST * solve_seconds
    if seconds > BUDGET:
        return (f"moving {n} assumption sources would take about {seconds:.0f} s ({2 * n} re-solves at about "
                f"{RESOLVE_COST * solve_seconds:.2f} s), more than the {BUDGET:g} s a run allows")
    return ""


def _counts(inst: Instance) -> tuple[int, int, int]:
    """(inputs, of which assumptions, assumption sources) of `inst`."""
    assumed = [i for i in inst.inputs if i.source in inst.sources and inst.sources[i.source].kind == "assumption"]
    return len(inst.inputs), len(assumed), len({i.source for i in assumed})


def not_ranked(inst: Instance, why: str) -> AssumptionRank:
    """The section for a run that does not rank: the counts, and why not."""
    inputs, assumed, sources = _counts(inst)
    return AssumptionRank(METHOD, inst.settings.objective_metric, "USD", None, inputs, assumed, sources, skipped=why)


def rank_assumptions(model: NegotiationModel, deal: Deal, resolver: Resolver | None = None) -> AssumptionRank:
    """Every assumption source of the model's instance moved down and up, the deal re-solved at
    each end on `resolver` (default: one on `model`); ranked (module docstring)."""
    inst = model.inst
    metric = inst.settings.objective_metric
    moves, left, not_moved = plan(inst)
    inputs, assumed, sources = _counts(inst)
    assert sources == len(moves) + len(not_moved)
    result = AssumptionRank(METHOD, metric, "USD", evaluate(inst, deal, model.table)[metric], inputs, assumed, sources,
                            not_moved=not_moved)
    if resolver is None:
        resolver = resolver_for(inst, model)
    if resolver.method != "re-solve":
        result.skipped = f"the swings would each rebuild the model ({resolver.reason})"
        return result
    assert result.base is not None
    for key, items in moves.items():
        ends: list[SwingEnd] = []
        reason = ""
        for side in ("low", "high"):
            try:
                variant = with_values(inst, {m.path: getattr(m, side) for m in items})
                solved = resolver.solve(variant, rebuild=False)
                if solved.status == NOT_RESOLVED:
                    reason = f"a swing the built model cannot take, re-solved only by a rebuild ({solved.message})"
                    break
                ends.append(_end(resolver, variant, solved, metric))
            except UnknownField as exc:
                reason = f"a field the draws cannot set ({exc})"
                break
            except (ValueError, ArithmeticError) as exc:     # numbers the economics cannot take at that end
                reason = f"the economics fail at its {side} end ({type(exc).__name__}: {exc})"
                break
        if reason:
            result.not_moved.append(SkippedSource(key, inst.sources[key].text, len(items) + left[key], reason))
            continue
        low, high = ends
        kept = [result.base] + [e.objective for e in (low, high) if e.deal and e.objective is not None]
        result.ranked.append(AssumptionSwing(
            key, inst.sources[key].text,
            [SwungInput(m.path, input_label(inst, m.path), m.unit, m.value / m.factor, m.low / m.factor,
                        m.high / m.factor, m.how) for m in items],
            low, high, max(kept) - min(kept), sum(1 for e in (low, high) if not e.deal), left[key]))
    result.ranked.sort(key=lambda s: (-s.lost, -s.swing, s.source))
    return result


def _end(resolver: Resolver, variant: Instance, solved: DrawResult, metric: str) -> SwingEnd:
    if solved.metrics is not None and solved.verified:
        return SwingEnd(solved.status, True, solved.metrics[metric])
    end = SwingEnd(solved.status)
    if solved.status == "infeasible":
        end.walks_away, end.walks_away_by = walks_away(resolver, variant)
    return end

