"""How robust the deal is: over draws of the instance's `uncertainty:` inputs, how many give a
deal, which side walks away in the rest, and which input separates deal from no deal.

The draws are the sweep's (`sweep.draw_inputs`: draw d from numpy's SeedSequence([seed, d])),
solved on the command's one built model (`resolve.Resolver`), so `run --robustness N --seed S`
counts the same deals as `sweep --monte-carlo N --seed S`.

Which side walks away, in a draw without a deal (status infeasible), is decided by re-solving
that draw with one side's constraints dropped (`Resolver.deal_without`), in two tests:

1. participation: drop one side's participation only (it no longer needs to gain over no
   deal). If that alone gives a deal for exactly one side, that side walks away: every deal
   the rest allows leaves it worse off than no deal.
2. positions: drop one side's participation and all its red lines. If that gives a deal for
   exactly one side, that side's positions end the deal. If it does for both, either side
   giving way alone would make a deal ('either'); if for neither, dropping both sides'
   participation and red lines together is tried: a deal then needs both to give way
   ('both'), and with none the market's own limits (buyers' ceilings, capacities) leave no
   deal ('market').

A draw re-solved by rebuilding the model (`Resolver.method`) is not tested ('undetermined').

Which input separates deal from no deal: for each drawn input, the draws are sorted by its
value and split into the lower half and the upper half; the share of draws with a deal in
each half is compared. The input with the largest difference separates deal from no deal
most. Each input's range is also cut into equal bins with the share with a deal in each (the
sweep's chart).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:        # the command line reads DEFAULT_DRAWS without loading the results' libraries
    from model.data.instance import Instance
    from model.results import DealBin, DealRobustness

SIDES = ("home", "partner")
BINS = 6                  # equal-width bins of each input's range, for the share with a deal along it
WALK_AWAY = ("home", "partner", "either", "both", "market", "undetermined")


def _free(inst: Instance, parties: tuple[str, ...], red_lines: bool) -> set[tuple[str, object]]:
    rows: set[tuple[str, object]] = {("participation", p) for p in parties}
    if red_lines:
        rows |= {("red_line", r.name) for r in inst.red_lines if r.party in parties}
    return rows


def walks_away(resolver, inst: Instance) -> tuple[str, str]:
    """(who, by) for a draw `inst` without a deal: who is 'home', 'partner', 'either', 'both',
    'market' or 'undetermined' (see the module docstring); by is 'participation' (the side would
    be worse off than no deal in every deal the rest allows), 'positions' (its participation and
    red lines) or ''."""
    if inst.settings.participation:
        alone = [resolver.deal_without(inst, _free(inst, (p,), False)) for p in SIDES]
        if None in alone:
            return "undetermined", ""
        if alone.count(True) == 1:
            return SIDES[alone.index(True)], "participation"
    alone = [resolver.deal_without(inst, _free(inst, (p,), True)) for p in SIDES]
    if None in alone:
        return "undetermined", ""
    if all(alone):
        return "either", "positions"
    if any(alone):
        return SIDES[alone.index(True)], "positions"
    both = resolver.deal_without(inst, _free(inst, SIDES, True))
    return ("undetermined", "") if both is None else ("both", "positions") if both else ("market", "")


def has_deal(row: dict) -> bool:
    return bool(row["metrics"]) and bool(row["verified"])


def deal_robustness(inst: Instance, rows: list[dict], columns: list[str], seed: int,
                    ranges: dict[str, tuple[float, float]] | None = None) -> DealRobustness:
    """The summary of solved draws `rows` (the sweep's rows, each with 'walks_away' and
    'walks_away_by' for the draws without a deal): deals, no deals and other outcomes, who walks
    away, and each input in `columns` (values in its own unit) split by how it separates deal
    from no deal, most separating first. `ranges`: each input's range for the bins (default:
    the smallest and largest value drawn)."""
    from model.analyses.inputs import input_label
    from model.results import DealRobustness, InputSplit
    units = {i.path: i.unit for i in inst.inputs}
    deals = sum(1 for r in rows if has_deal(r))
    none = [r for r in rows if not has_deal(r) and r["status"] == "infeasible"]
    other: dict[str, int] = {}
    for r in rows:
        if not has_deal(r) and r["status"] != "infeasible":
            key = r["status"] if r["status"] != "optimal" else "not verified"
            other[key] = other.get(key, 0) + 1
    who = {k: 0 for k in WALK_AWAY}
    by_participation = {k: 0 for k in SIDES}
    for r in none:
        side = r.get("walks_away") or "undetermined"
        who[side] += 1
        if side in SIDES and r.get("walks_away_by") == "participation":
            by_participation[side] += 1
    splits = []
    for order, c in enumerate(columns):
        drawn = sorted(((r["inputs"][c], r["draw"], has_deal(r)) for r in rows if c in r["inputs"]),
                       key=lambda t: (t[0], t[1]))
        if len(drawn) < 2:
            continue
        half = len(drawn) // 2
        low, high = drawn[:half], drawn[half:]
        share_low = sum(d for _, _, d in low) / len(low)
        share_high = sum(d for _, _, d in high) / len(high)
        lo, hi = (ranges or {}).get(c, (drawn[0][0], drawn[-1][0]))
        splits.append((order, InputSplit(
            c, input_label(inst, c), units.get(c, ""), (low[-1][0] + high[0][0]) / 2,
            len(low), sum(d for _, _, d in low), len(high), sum(d for _, _, d in high),
            share_low - share_high, _bins([(v, d) for v, _, d in drawn], lo, hi))))
    splits.sort(key=lambda t: (-abs(t[1].separation), t[0]))
    return DealRobustness(draws=len(rows), seed=seed, deals=deals, no_deal=len(none), other=other,
                          walks_away={k: v for k, v in who.items() if v}, by_participation=by_participation,
                          inputs=[s for _, s in splits])


def _bins(values: list[tuple[float, bool]], lo: float, hi: float, n: int = BINS) -> list[DealBin]:
    """`n` equal bins of [lo, hi] with the draws and deals in each (the last bin holds hi)."""
    from model.results import DealBin
    if not hi > lo:
        return [DealBin(lo, hi, len(values), sum(d for _, d in values))]
    width = (hi - lo) / n
    out = [DealBin(lo + i * width, lo + (i + 1) * width, 0, 0) for i in range(n)]
    for v, d in values:
        b = out[min(n - 1, max(0, int((v - lo) / width)))]
        b.draws += 1
        b.deals += int(d)
    return out


def uncertain_ranges(inst: Instance) -> dict[str, tuple[float, float]]:
    """Each uncertain input's declared range, in its field's own unit."""
    return {u.path: (u.low / u.factor, u.high / u.factor) for u in inst.uncertainty}


DEFAULT_DRAWS = 50          # `run`'s draws (`--robustness N`); 0 turns them off
HORIZON_DRAWS = 20          # ... of an instance with a horizon: each draw rebuilds the multi-year model
