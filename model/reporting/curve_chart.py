"""The policy curve's chart (`sweep --lever`): the balances and both sides' gains against one lever's value."""
from __future__ import annotations

from model.reporting.charts import BLUE, GREEN, GREY, ORANGE, RED, _subplots, bn, to_svg
from model.reporting.words import possessive
from model.results import PolicyCurve


def x_of(curve: PolicyCurve, value: float) -> float:
    """A value as the x axis shows it: rates in percent, other units as they are."""
    return value * 100 if curve.unit == "fraction" else value


def x_label(curve: PolicyCurve) -> str:
    return f"{curve.label} ({'%' if curve.unit == 'fraction' else curve.unit})"


def policy_curve_chart(curve: PolicyCurve, parties: dict[str, str]) -> str:
    """Two panels over the lever's values: the total and the negotiated deficit (USD bn), and
    each side's payoff gain over no deal (USD bn, zero marked). A value without a deal is a grey
    cross on the axis of both panels, named in the legend; the deal `run` finds is a dashed line."""
    fig, (left, right) = _subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"wspace": 0.3})
    dealt = [p for p in curve.points if p.deficit is not None]
    none = [x_of(curve, p.value) for p in curve.points if p.deficit is None]
    xs = [x_of(curve, p.value) for p in dealt]
    left.plot(xs, [bn(p.deficit) for p in dealt], "o-", color=BLUE, label="total bilateral deficit")
    left.plot(xs, [bn(p.negotiated_deficit) for p in dealt], "s--", color=ORANGE, label="deficit in the negotiated goods")
    left.set_ylabel("USD bn a year")
    left.set_title("The balances")
    for party, color in (("home", BLUE), ("partner", RED)):
        right.plot(xs, [bn((p.gains or {}).get(party)) for p in dealt], "o-", color=color,
                   label=f"{possessive(parties[party])} gain over no deal (payoff)")
    right.axhline(0, color=GREY, lw=0.8)
    right.set_ylabel("USD bn a year")
    right.set_title("Each side's gain over no deal")
    for ax in (left, right):
        if none:                      # on a band added below the lines, inside the axes
            low, high = ax.get_ylim() if dealt else (0.0, 1.0)
            span = (high - low) or 1.0
            ax.set_ylim(low - 0.12 * span, high)
            ax.plot(none, [low - 0.06 * span] * len(none), "x", color=GREY, ms=9, mew=2,
                    label="no deal at this value")
        if curve.deal_value is not None:
            ax.axvline(x_of(curve, curve.deal_value), color=GREEN, ls=":", lw=1.2, label="the deal run finds")
        ax.set_xlabel(x_label(curve))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9, loc="best")
    return to_svg(fig)
