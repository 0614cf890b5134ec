"""Production shifts under each tariff option: what one vehicle built in a home plant instead of
imported changes, per unit, in the metrics the model states linearly; the quota table; and the
error of that linear statement, measured outside the solver.

A partner maker's vehicle built in a home plant is still the partner brand's: buyers see the
brand's sales M_s, of which M_s - S_s are imported (`responses.line_outcomes(shifted=...)`).

- A flat tariff: the market does not move; the shift takes imports and what they carry (value,
  duty, margin, rent) at the option's average. Exactly linear in the shift, up to all imports.
- A tariff-rate quota or an export restraint: a home-built vehicle needs no licence. While the
  cap binds, imports stay at the cap, the brand's supply rises by the shift, the scarcity
  wedge and the rent fall and buyers gain; once the cap no longer binds, imports fall one for
  one. This is nonlinear in the shift. The model states it as the chord from no shift to the
  segment's span (the shift its makers' spare capacity allows, at most the brand's sales at
  the in-quota rate): per shifted unit, (outcome(span) - outcome(0)) / span, every metric of
  the line. Exact at no shift and at the span (one segment of the line shifting); in between,
  and where several segments of a pooled line shift, `shift_errors` solves the line again
  exactly at the deal's shifts and reports the difference.

Content (`makers.*.partner_content`, `home_content`): a shifted vehicle's partner parts are
imported from the partner (value x c_p, at the calibration-year customs value) and its other
foreign content from third countries (value x (1 - c_h - c_p)); so the bilateral balance moves
by -value x (1 - c_p) per vehicle and the overall balance by -value x c_h.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from model.data.families.production_shift import LINE_TERMS, TERMS, content_per_unit, line_figures, quota_lines
from model.data.instance import Instance, Segment, TariffOption
from model.economics.responses import OptionOutcome, line_outcomes
from model.results import QuotaRow


@dataclass(frozen=True)
class ShiftEffect:
    """What one unit shifted on a segment does under one option of its line."""

    most: float                # the largest shift on the segment under the option (units)
    span: float                # the shift the statement is exact at (besides none)
    exact: bool                # linear in the shift (a flat option), so exact everywhere
    per_unit: dict[str, float]  # metric -> change per unit shifted, base units (line totals)
    line: dict[str, float]     # LINE_TERMS -> change per unit shifted (quota lines)


def _totals(rows: list[OptionOutcome], segments: list[Segment], weight: float) -> dict[str, float]:
    """The metric terms of a line's outcomes (`weight`: the instance's total base buyer spending on
    the partner's goods, which the buyer price change is an average over)."""
    return {
        "imports_units": sum(o.imports for o in rows),
        "imports_value": sum(o.imports_value for o in rows),
        "tariff_revenue": sum(o.tariff_revenue for o in rows),
        "home_importer_rent": sum(o.home_importer_rent for o in rows),
        "buyer_cost": sum(o.buyer_cost for o in rows),
        "home_production_gain": sum(o.home_gain + o.shifted for o in rows),
        "partner_export_margin": sum(o.export_margin for o in rows),
        "partner_production_loss": sum(g.imports - o.imports for o, g in zip(rows, segments)),
        "partner_quota_rent": sum(o.exporter_rent for o in rows),
        "third_imports_units": sum(sum(o.third_imports.values()) for o in rows),
        "third_imports_value": sum(sum(o.third_value.values()) for o in rows),
        "third_tariff_revenue": sum(sum(o.third_duty.values()) for o in rows),
        "third_exporter_surplus_change": sum(sum(o.third_surplus.values()) for o in rows),
        "producer_surplus_change": sum(o.producer_surplus for o in rows),
        "buyer_price_change": sum(g.imports * g.import_price * (1 + g.base_tariff) * (o.buyer_price_factor - 1)
                                  for o, g in zip(rows, segments)) / weight,
    }


def capacity(inst: Instance, segments) -> float:
    """Spare home-plant capacity of the makers that build any of `segments` (each maker once)."""
    return sum(mk.spare_capacity for mk in inst.makers.values() if any(s in mk.segments for s in segments))


def spending_weight(inst: Instance) -> float:
    return sum(g.imports * g.import_price * (1 + g.base_tariff) for g in inst.segments.values()) or 1.0


# Terms that, at a given tariff equivalent, are proportional to a segment's imports at a rate of
# its own (customs value, duty, rents, margin per imported unit): where the shift falls within the
# line moves them. Every other term depends only on the line's market, i.e. on its total shift.
RATED = {"imports_value": "imports_value", "tariff_revenue": "tariff_revenue",
         "home_importer_rent": "home_importer_rent", "partner_export_margin": "export_margin",
         "partner_quota_rent": "exporter_rent", "quota_rent": "quota_rent"}


def _rate(o: OptionOutcome, fallback: OptionOutcome, attr: str) -> float:
    """`attr` per imported unit of an outcome (of `fallback` where the outcome imports nothing)."""
    for x in (o, fallback):
        if x.imports > 1e-9:
            return getattr(x, attr) / x.imports
    return 0.0


@lru_cache(maxsize=1024)
def _quota_effects(members: tuple[Segment, ...], option: TariffOption, form: str, room: float,
                   weight: float) -> dict[str, ShiftEffect]:
    """Per segment of a quota line: the effect of a unit shifted on it (module docstring). The
    line's span is the shift its makers' capacity allows (`room`), at most the brand's sales at
    the in-quota rate; the line is solved exactly at no shift and at the span spread over the
    segments in proportion to those sales (the reference). While no segment runs out of imports
    (the model keeps each segment's shift within its brand's sales at the span's market), the
    line's market depends on its total shift only, and the rated terms move by the segment's own
    rate at the span's market; so the statement is exact at the span for any mix of segments."""
    segs = list(members)
    ti = {g.name: g.base_tariff if option.in_quota_rate is None else option.in_quota_rate for g in segs}
    most = {g.name: line_outcomes([g], TariffOption("in quota", "in quota", ti[g.name]), form)[g.name].imports
            for g in segs}
    span = min(room, sum(most.values()))
    if span <= 0:
        zero = ShiftEffect(0.0, 0.0, True, {k: 0.0 for k in TERMS},
                           {k: 0.0 for k in LINE_TERMS})
        return {g.name: replace(zero, most=most[g.name]) for g in segs}
    ref = {g: m * span / sum(most.values()) for g, m in most.items()}
    base = line_outcomes(segs, option, form)
    moved = line_outcomes(segs, option, form, ref)
    before, after = [base[g.name] for g in segs], [moved[g.name] for g in segs]
    t0, t1 = _totals(before, segs, weight), _totals(after, segs, weight)
    t0.update(line_figures(before))
    t1.update(line_figures(after))
    rates = {g.name: {k: _rate(moved[g.name], base[g.name], attr) for k, attr in RATED.items()} for g in segs}
    mean = {k: sum(rates[g][k] * ref[g] for g in ref) / span for k in RATED}
    out = {}
    for g in segs:
        per = {k: (t1[k] - t0[k]) / span + (mean[k] - rates[g.name][k] if k in RATED else 0.0)
               for k in (*TERMS, *LINE_TERMS)}
        # At most the brand's sales at the span's market: below them at every shift up to the span
        # (the scarcity wedge only falls with the shift), so no segment runs out of imports.
        sales = moved[g.name].imports + moved[g.name].shifted
        out[g.name] = ShiftEffect(sales, span, False, {k: per[k] for k in TERMS},
                                  {k: per[k] for k in LINE_TERMS})
    return out


def _flat_effect(o: OptionOutcome, seg: Segment, weight: float) -> ShiftEffect:
    """A flat option: the shift takes imports and what they carry at the option's average."""
    def avg(x: float) -> float:
        return -x / o.imports if o.imports > 0 else 0.0
    per = {k: 0.0 for k in TERMS}
    per.update(imports_units=-1.0, imports_value=-o.unit_value, tariff_revenue=avg(o.tariff_revenue),
               home_importer_rent=avg(o.home_importer_rent), partner_export_margin=avg(o.export_margin),
               partner_quota_rent=avg(o.exporter_rent), home_production_gain=1.0, partner_production_loss=1.0)
    return ShiftEffect(o.imports, o.imports, True, per,
                       {"quota_imports": -1.0, "quota_rent": avg(o.quota_rent), "quota_tariff_equivalent": 0.0})


def effect(inst: Instance, segment: str, o: OptionOutcome) -> ShiftEffect:
    """Per unit shifted on `segment` under the option `o` was solved at (`o` from the option table
    or `chosen_outcomes`)."""
    seg = inst.segments[segment]
    weight = spending_weight(inst)
    if o.option is None or not o.option.is_quota:
        return _flat_effect(o, seg, weight)
    members = tuple(inst.segments[s] for s in o.line)
    return _quota_effects(members, o.option, inst.settings.response, capacity(inst, o.line), weight)[segment]


def with_effects(inst: Instance, outcomes: dict) -> dict:
    """`outcomes` (any keys) with each outcome's `shift_effect` set, where the instance has makers."""
    if not inst.makers:
        return outcomes
    return {k: replace(o, shift_effect=effect(inst, k if isinstance(k, str) else k[0], o))
            for k, o in outcomes.items()}


def shifted_by_segment(inst: Instance, amounts: dict) -> dict[str, float]:
    out = {s: 0.0 for s in inst.segments}
    for (_, s), x in amounts.items():
        out[s] += x
    return out


def quota_summary(instance: Instance, deal, outcomes: dict[str, OptionOutcome]) -> list[QuotaRow]:
    """For each tariff line whose chosen option is a quota or export restraint: its fill, rent
    and holder, and its tariff equivalent (the tariff giving the same imports), as the model
    states them (with the deal's production shifts, linear in the shift); where the deal shifts
    production on the line, also the line solved exactly at the shift, and the difference."""
    from model.data.families.base import option_family
    chosen = deal.values(option_family().deal_field)
    shift = shifted_by_segment(instance, deal.values("shift"))
    out = []
    for name, line in instance.lines.items():
        option = instance.line_option(name, chosen[name])
        quota = option.quota
        if quota is None:                  # a flat rate (`option.is_quota` is false)
            continue
        rows = [outcomes[s] for s in line.segments]
        fig = line_figures(rows)
        moved = {s: shift.get(s, 0.0) for s in line.segments}
        for s, x in moved.items():
            e = effect(instance, s, outcomes[s])
            for k in LINE_TERMS:
                fig[k] += e.line[k] * x
        exact, binds = None, any(o.quota_binds for o in rows)
        if any(x > 0 for x in moved.values()):
            solved = line_outcomes([instance.segments[s] for s in line.segments], option, instance.settings.response,
                                   moved)
            exact = line_figures([solved[s] for s in line.segments])
            binds = any(solved[s].quota_binds for s in line.segments)
        out.append(QuotaRow(
            line=name, label=line.label, option=option.name, option_label=option.label,
            kind="export restraint" if option.is_restraint else "tariff-rate quota",
            quota=quota, imports=fig["quota_imports"],
            fill=fig["quota_imports"] / quota if quota > 0 else None,
            binds=binds,
            rent=fig["quota_rent"], rent_holder=option.rent_holder, tariff_equivalent=fig["quota_tariff_equivalent"],
            in_quota_rate=option.in_quota_rate, out_of_quota_rate=None if option.is_restraint else option.rate,
            shifted=sum(moved.values()),
            exact_imports=None if exact is None else exact["quota_imports"],
            exact_rent=None if exact is None else exact["quota_rent"],
            exact_tariff_equivalent=None if exact is None else exact["quota_tariff_equivalent"]))
    return out


__all__ = ["TERMS", "LINE_TERMS", "ShiftEffect", "effect", "with_effects", "quota_summary", "line_figures",
           "capacity", "content_per_unit", "shifted_by_segment", "quota_lines"]
