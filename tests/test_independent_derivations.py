"""Headline figures derived again in this file, not read back from `metrics.py`.

- Partner welfare and the sigma = 1 (Cobb-Douglas) price index, worked out by hand.
- On every shipped instance with a deal: the deficit identity, both welfare totals, the
  payoffs and the trade diversion against no deal, recomputed here from the reported levers,
  the instance's units and prices, and each chosen tariff option's response (the response
  functions have their own hand-worked tests in test_economics.py and test_armington.py).
  The aggregation is written independently of `metrics.evaluate`, and grouped differently
  (welfare as a whole, not as the sum of its reported parts), so a slip in one is not
  mirrored in the other.
"""
from __future__ import annotations

import math

import pytest
from expected_outcomes import shipped
from test_armington import two_sources
from tiny import q, tiny

from model.data.families import partner_tariff
from model.data.instance import Deal, TariffOption
from model.economics.loading import load
from model.economics.metrics import evaluate
from model.economics.outcomes import chosen_outcomes, option_table
from model.economics.responses import line_outcomes, option_outcome
from model.run import solve_instance

REL = 1e-9


def test_partner_welfare_by_hand(tmp_path):
    """Pass-through 0.5 on both segments, both at 20% (as with no deal). Margin $1,000 a vehicle.
    Cars: b = 1 + 0.5 x 0.2 = 1.1 (above the margin floor (1 - 1,000/10,000) x 1.2 = 1.08), imports
    1,000 / 1.1 = 909.09, customs value 10,000 x 1.1 / 1.2 = 9,166.67, margin per car
    1,000 - (10,000 - 9,166.67) = 166.67. Trucks: b = 1.1 is below the floor (1 - 1,000/20,000)
    x 1.2 = 1.14, so b = 1.14: imports 100 / 1.14, customs value 20,000 x 1.14 / 1.2 = 19,000,
    margin 0. The deal: 50 cars through dealers earning $700 each (+35,000), 100 cars built in
    Acme's home plants at a $500 margin (+50,000), which replace 100 imported cars.
    Exporters' margin: (909.09 - 100) x 166.67 = 134,848.48, against 1,100 x 1,000 = 1,100,000 in
    the calibration year. Partner welfare = 134,848.48 - 1,100,000 + 35,000 + 50,000 = -880,151.52.
    The partner's payoff (export margin + dealer margin - political cost 0) = 169,848.48."""
    inst = tiny(tmp_path, {
        "segments": {"car": {"pass_through": q(0.5, "fraction"), "partner_ceiling": q(50, "vehicles")},
                     "truck": {"pass_through": q(0.5, "fraction")}},
        "channels": {"dealers": {"dealer_margin": q(700, "USD/vehicle")}},
        "makers": {"acme": {"label": "Acme", "spare_capacity": q(100, "vehicles"), "segments": ["car"],
                            "home_plant_margin": q(500, "USD/vehicle")}},
        "payoffs": {"partner": {"dealer_margin": q(1, "1")}}})
    car_margin = (1000 / 1.1 - 100) * (1000 - (10_000 - 10_000 * 1.1 / 1.2))
    assert car_margin == pytest.approx(134_848.4848, rel=1e-9)
    deal = Deal(tariff={"car": "flat_20", "truck": "flat_20"}, commitments={("dealers", "car"): 50.0},
                shift={("acme", "car"): 100.0})
    v = evaluate(inst, deal)
    assert v["partner_export_margin"] == pytest.approx(car_margin, rel=1e-12)
    assert v["imports_units"] == pytest.approx(1000 / 1.1 - 100 + 100 / 1.14, rel=1e-12)
    assert v["exporter_surplus_change"] == pytest.approx(car_margin - 1_100_000, rel=1e-12)
    assert v["partner_welfare"] == pytest.approx(car_margin - 1_100_000 + 35_000 + 50_000, rel=1e-12)
    assert v["partner_payoff"] == pytest.approx(car_margin + 35_000, rel=1e-12)
    # The solver reaches this deal: nothing is better for the deficit, and stage two keeps it.
    r = solve_instance(inst, concessions=False)
    assert r.metric("partner_welfare").deal == pytest.approx(car_margin - 1_100_000 + 85_000, rel=1e-9)


def test_cobb_douglas_price_index_by_hand(tmp_path):
    """sigma = 1, eta = -2, equal base shares w = 1/2, the partner's 0% -> 20% (r_p = 1.2, r_j = 1):
      R = 1.2^(1/2) = 1.0954451 (the geometric mean; the CES formula divides by zero at sigma = 1)
      X/X0 = R^-2 = 1/1.2
      Q_p = 1,000 (1/1.2) (1.2 / R)^-1 = 1,000 R / 1.44 = 760.7258
      Q_j = 1,000 (1/1.2) (1 / R)^-1 = 1,000 R / 1.2 = 912.8709
    Buyers' surplus loss V0 (R^(eta + 1) - 1) / (eta + 1) = 2e7 (1 - 1/R) = 1,742,581.42."""
    inst = two_sources(tmp_path, sigma=1.0, eta=-2.0)
    at20 = option_table(inst)["car", "flat_20"]
    r = math.sqrt(1.2)
    assert at20.price_index == pytest.approx(r, rel=1e-12)
    assert at20.imports == pytest.approx(1000 * r / 1.44, rel=1e-12)
    assert at20.imports == pytest.approx(760.7258, rel=1e-7)
    assert at20.third_imports["other"] == pytest.approx(1000 * r / 1.2, rel=1e-12)
    assert at20.buyer_cost == pytest.approx(2e7 * (1 - 1 / r), rel=1e-12)
    assert at20.buyer_cost == pytest.approx(1_742_581.42, rel=1e-8)


def _deal_from_levers(inst, r) -> Deal:
    """The deal as results.json reports it: option labels back to names, index texts back to keys."""
    fields: dict[str, dict] = {"tariff": {}, "partner_tariff": {}, "ntb": {}, "commitments": {}, "shift": {},
                               "purchases": {}, "maker_caps": {}}
    for lv in r.levers:
        if lv.name == "tariff":
            fields["tariff"][lv.index] = next(o.name for o in inst.line_options(lv.index) if o.label == lv.choice)
        elif lv.name == "partner_tariff":
            fields["partner_tariff"][lv.index] = next(o.name for o in partner_tariff.line_options(inst, lv.index)
                                                      if o.label == lv.choice)
        elif lv.name == "ntb_relief":
            fields["ntb"][lv.index] = lv.value == 1.0
        elif lv.name in ("commitment", "production_shift"):
            fields["commitments" if lv.name == "commitment" else "shift"][tuple(lv.index.split("."))] = lv.value
        elif lv.name == "purchase":
            fields["purchases"][lv.index] = lv.value
        elif lv.name == "maker_cap":
            program = inst.maker_caps[lv.index]
            fields["maker_caps"][lv.index] = next(o for o in program.options if program.label_of(o) == lv.choice)
        else:
            raise AssertionError(f"a lever family this test does not know: {lv.name}")
    return Deal().with_values_of(fields)


def partner_terms(inst, deal: Deal) -> tuple[dict[str, float], dict[str, float]]:
    """Per segment: home exports relative to 2024 under the deal's partner tariff,
    ((1 + pp t)/(1 + pp t0))^ep, and that tariff (its 2024 rate where the deal sets none)."""
    factor = {s: 1.0 for s in inst.segments}
    rate = {s: seg.partner_base_tariff for s, seg in inst.segments.items()}
    chosen = deal.values("partner_tariff")
    for line, members in inst.partner_lines.items():
        if line not in chosen:
            continue
        t = partner_tariff.line_option(inst, line, chosen[line]).rate
        for s in members.segments:
            seg = inst.segments[s]
            p = seg.export_pass_through
            factor[s] = ((1 + p * t) / (1 + p * seg.partner_base_tariff)) ** seg.export_elasticity
            rate[s] = t
    return factor, rate


def capped_exports_value(inst, deal: Deal) -> float:
    """The change in capped makers' export value: sum_m (min(D_m, K) - sales_m) x value_m at each
    program's chosen cap K (its calibration-year cap where the deal names none), D_m the stated
    demand, else the reservation share of the segment's ceiling, else the sales."""
    chosen, total = deal.values("maker_caps"), 0.0
    for p, program in inst.maker_caps.items():
        cap = program.level(chosen[p]) if p in chosen else program.base
        for m in program.makers.values():
            d = m.demand if m.demand is not None else m.sales if m.reservation_share is None \
                else m.reservation_share * inst.segments[m.segment].partner_ceiling
            total += (min(d, cap) - m.sales) * m.unit_value
    return total


FIELDS = ("imports_value", "tariff_revenue", "home_importer_rent", "buyer_cost", "producer_surplus", "third_duty",
          "export_margin", "third_value", "third_surplus")


def _sums(outcomes) -> dict[str, float]:
    """The fields `headline` needs, summed over outcomes (third countries' over countries too)."""
    def get(o, f):
        v = getattr(o, f)
        return sum(v.values()) if isinstance(v, dict) or hasattr(v, "values") else v
    return {f: sum(get(o, f) for o in outcomes) for f in FIELDS}


def shifted_sums(inst, deal: Deal, out) -> dict[str, float]:
    """The fields summed over segments with the deal's production shifts, as docs/model.md states
    them. A flat option: the shifted vehicles take imports' value, duty, rent and margin at the
    option's average. A quota line: a home-built vehicle needs no licence; the line is solved
    exactly with no shift (A0) and with its span, min(its makers' spare capacity, the brand's
    sales at the in-quota rate), spread over its segments like those sales (A1). Each unit
    shifted on segment s moves a field by (A1 - A0) / span, and a field carried per imported
    unit (value, duty, rent, margin) also by the spread's mean rate less s's own rate at A1.
    """
    segs = inst.segments
    shifted = {s: sum(x for (_, seg), x in deal.values("shift").items() if seg == s) for s in segs}
    total = {f: 0.0 for f in FIELDS}
    done = set()
    for s in segs:
        o = out[s]
        if o.option is not None and o.option.is_quota:
            if o.line in done:
                continue
            done.add(o.line)
            members = [segs[g] for g in o.line]
            moved = sum(shifted[g] for g in o.line)
            base = _sums(line_outcomes(members, o.option, inst.settings.response).values())
            if moved > 0:
                room = sum(mk.spare_capacity for mk in inst.makers.values() if set(mk.segments) & set(o.line))
                ti = {g.name: g.base_tariff if o.option.in_quota_rate is None else o.option.in_quota_rate
                      for g in members}
                sales = {g.name: option_outcome(g, TariffOption("t", "t", ti[g.name]), inst.settings.response).imports
                         for g in members}
                span = min(room, sum(sales.values()))
                spread = {g: sales[g] * span / sum(sales.values()) for g in o.line}
                zero = line_outcomes(members, o.option, inst.settings.response)
                solved = line_outcomes(members, o.option, inst.settings.response, spread)
                end = _sums(solved.values())

                def rate(g, f):
                    x = solved[g] if solved[g].imports > 1e-9 else zero[g]
                    return getattr(x, f) / x.imports if x.imports > 1e-9 else 0.0
                new = {f: base[f] + (end[f] - base[f]) * moved / span for f in FIELDS}
                for f in ("imports_value", "tariff_revenue", "home_importer_rent", "export_margin"):
                    mean = sum(rate(g, f) * spread[g] for g in o.line) / span
                    new[f] += sum(shifted[g] * (mean - rate(g, f)) for g in o.line)
                base = new
            for f in FIELDS:
                total[f] += base[f]
            continue
        kept = (1 - shifted[s] / o.imports) if o.imports > 0 else 0.0
        one = _sums([o])
        for f in FIELDS:
            total[f] += one[f] * (kept if f in ("imports_value", "tariff_revenue", "home_importer_rent",
                                                "export_margin") else 1.0)
    return total


def partner_buyers(seg, rate: float, n: int = 2000) -> float:
    """The partner's buyers' surplus change on today's home-made exports at its tariff `rate`:
    the area under their demand curve X0 rho^e between the buyer price ratios r and 1, by
    Simpson's rule (n intervals) rather than the closed form the model uses."""
    if seg.partner_tariff_menu is None or not seg.exports:
        return 0.0
    p = seg.export_pass_through
    r = (1 + p * rate) / (1 + p * seg.partner_base_tariff)
    spending = seg.exports * seg.export_price * (1 + seg.partner_base_tariff)
    h = (1.0 - r) / n
    area = sum((1 if k in (0, n) else 4 if k % 2 else 2) * (r + k * h) ** seg.export_elasticity for k in range(n + 1))
    return spending * area * h / 3


def relief_buyers(inst, measure: str, n: int = 2000) -> float:
    """The partner's buyers' gain from standards relief: for each segment, their demand at
    today's price P is the ceiling C plus the lift L, rationed to C; relief admits the L units,
    worth the area between the inverse demand P (x/(C + L))^(1/e) and P over [C, C + L], here
    by Simpson's rule in the quantity (the model uses the closed form)."""
    total = 0.0
    for s, lift in inst.ntb_measures[measure].ceiling_lift.items():
        seg = inst.segments[s]
        c, e = seg.partner_ceiling, seg.export_elasticity or seg.elasticity
        if lift <= 0 or c <= 0:
            continue
        h = lift / n
        area = sum((1 if k in (0, n) else 4 if k % 2 else 2) * (((c + k * h) / (c + lift)) ** (1 / e) - 1)
                   for k in range(n + 1))
        total += seg.export_price * area * h / 3
    return total


def headline(inst, deal: Deal) -> dict[str, float]:
    """Deficit, welfare and third-country imports of `deal`, aggregated here from its levers and
    the chosen options' responses."""
    out = chosen_outcomes(inst, deal, option_table(inst))
    xf, rates = partner_terms(inst, deal)
    segs = inst.segments
    t = shifted_sums(inst, deal, out)
    shifts = deal.values("shift")
    # A shifted vehicle's partner content: a bare value, or, where its maker names a parts segment,
    # units of parts on that line (value x c_p / v0) at the line's chosen rate and customs value.
    parts = sum(x * segs[s].import_price * inst.makers[k].partner_content for (k, s), x in shifts.items()
                if not inst.makers[k].parts_segment)
    parts_duty = parts_margin = 0.0
    for (k, s), x in shifts.items():
        p = inst.makers[k].parts_segment
        if not p or not x:
            continue
        units = x * segs[s].import_price * inst.makers[k].partner_content / segs[p].import_price
        v, rate = parts_value(inst, deal, p)
        parts += units * v
        parts_duty += units * rate * v
        parts_margin += units * (segs[p].partner_margin - (segs[p].import_price - v))
    third_content = sum(x * segs[s].import_price * (1 - inst.makers[k].home_content - inst.makers[k].partner_content)
                        for (k, s), x in shifts.items())
    imports_value = t["imports_value"] + parts
    exports_value = sum(seg.exports * xf[s] * seg.export_price for s, seg in segs.items()) + sum(
        x * inst.channels[c].unit_value[s] for (c, s), x in deal.values("commitments").items()) + \
        capped_exports_value(inst, deal)
    purchases = sum(x * inst.goods[g].unit_value * inst.goods[g].additional_share for g, x in deal.values("purchases").items())
    third_supplies = [sup for seg in segs.values() if seg.armington for sup in seg.armington.suppliers]
    revenue_2024 = sum(seg.base_tariff * seg.imports * seg.import_price for seg in segs.values()) + sum(
        sup.base_tariff * sup.imports * sup.import_price for sup in third_supplies)
    home_welfare = (t["tariff_revenue"] + parts_duty + t["home_importer_rent"] - t["buyer_cost"] + t["producer_surplus"]
                    + t["third_duty"] - revenue_2024)
    partner_revenue = sum((rates[s] * xf[s] - seg.partner_base_tariff) * seg.exports * seg.export_price
                          for s, seg in segs.items())
    partner_welfare = (t["export_margin"] + parts_margin - parts_duty - sum(seg.imports * seg.partner_margin for seg in segs.values())
                       + sum(x * inst.channels[c].dealer_margin for (c, _), x in deal.values("commitments").items())
                       + sum(x * inst.makers[k].home_plant_margin for (k, _), x in shifts.items())
                       + partner_revenue + sum(partner_buyers(seg, rates[s]) for s, seg in segs.items())
                       + sum(relief_buyers(inst, n) for n, on in deal.values("ntb").items() if on))
    return {"deficit": imports_value - exports_value - purchases, "imports_value": imports_value,
            "exports_value": exports_value, "purchases_value": purchases, "home_welfare": home_welfare,
            "partner_welfare": partner_welfare, "third_welfare": t["third_surplus"],
            "third_imports_value": t["third_value"] + third_content}


def parts_value(inst, deal: Deal, p: str) -> tuple[float, float]:
    """(customs value of a unit, flat rate) on parts segment `p`'s line under the deal: with an
    imposed pass-through v = v0 (1 + pass t)/(1 + pass t0) x (1 + t0)/(1 + t); with perfectly
    elastic supply v = v0 (a parts line has no quota, so its option is a flat rate)."""
    seg, line = inst.segments[p], inst.line_of(p)
    rate = inst.line_option(line, deal.values("tariff")[line]).rate
    if seg.pass_through is not None:
        k, t0 = seg.pass_through, seg.base_tariff
        return seg.import_price * (1 + k * rate) / (1 + k * t0) * (1 + t0) / (1 + rate), rate
    assert seg.partner_supply_elasticity == float("inf"), "a parts line on a supply curve is not restated here"
    return seg.import_price, rate


def _deal_instances():
    """Shipped instances with a deal; the default one runs in the fast loop, the others are slow."""
    return [pytest.param(p, id=p.stem, marks=() if p.stem == "toyota_2025" else pytest.mark.slow)
            for p in shipped() if p.stem not in ("high_elasticity", "no_zopa_example")]


def sections_instance(inst):
    """The instance the results' one-year sections describe: the instance itself, or over a horizon
    its last year's (growth applied, participation per year only under `every_year`)."""
    from model.data.horizon import year_instance
    return inst if inst.horizon is None else year_instance(inst, inst.horizon.last_year)


@pytest.mark.parametrize("path", _deal_instances())
def test_headline_figures_rederived(path):
    r = solve_instance(load(path), concessions=False)
    inst = sections_instance(load(path))
    assert r.status == "optimal"
    deal, no_deal = headline(inst, _deal_from_levers(inst, r)), headline(inst, inst.no_deal)
    for name, value in deal.items():
        assert r.metric(name).deal == pytest.approx(value, rel=REL, abs=1e-3), name
        if name != "purchases_value":
            assert r.metric(name).no_deal == pytest.approx(no_deal[name], rel=REL, abs=1e-3), name
    # Each side's gain over no deal: its payoff weights times the metrics, in this file's sums.
    for party in ("home", "partner"):
        weights = inst.payoff_weights[party]
        gain = sum(w * (r.metric(m).deal - r.metric(m).no_deal) for m, w in weights.items())
        payoff = r.metric(f"{party}_payoff")
        assert payoff.deal - payoff.no_deal == pytest.approx(gain, rel=REL, abs=1e-3), party
        if inst.settings.participation:
            assert gain >= -1e-6 * max(1.0, abs(payoff.no_deal)), party
    if inst.third_countries:        # trade diversion: minus the change in third-country imports
        summary = r.diversion
        assert summary.diversion.value == pytest.approx(
            -(deal["third_imports_value"] - no_deal["third_imports_value"]), rel=REL, abs=1e-3)
        assert summary.partner.value == pytest.approx(deal["imports_value"] - no_deal["imports_value"],
                                                 rel=REL, abs=1e-3)


def test_baseline_deficit_is_the_data(tmp_path):
    """In the calibration year the deficit is imports x price - exports x price, from the data alone."""
    for path in shipped():
        inst = load(path)
        v = evaluate(inst, None)
        data = sum(s.imports * s.import_price - s.exports * s.export_price for s in inst.segments.values())
        assert v["deficit"] == pytest.approx(data, rel=1e-12), path.stem


@pytest.mark.parametrize("fixed", [5_000, 20_000])
def test_capped_makers_exports_rederived(tmp_path, fixed):
    """Caps per maker: A sold 8,000 (below today's 10,000 cap, so that is its demand), B its
    stated demand of 3,000. At a 5,000 cap A loses 3,000 (x 40,000) and B keeps its 3,000; at
    20,000 nothing moves. The headline sums above give the metrics' deficit, exports and welfare."""
    from test_maker_caps import caps, maker
    inst = tiny(tmp_path, caps({"a": maker(8_000), "b": {**maker(3_000, demand=3_000), "label": "Maker B"}},
                               exports=11_000, fixed=fixed))
    r = solve_instance(inst, concessions=False)
    assert r.status == "optimal"
    deal = headline(inst, _deal_from_levers(inst, r))
    for name, value in deal.items():
        assert r.metric(name).deal == pytest.approx(value, rel=REL, abs=1e-3), name
    assert capped_exports_value(inst, _deal_from_levers(inst, r)) == (-3_000 * 40_000 if fixed == 5_000 else 0.0)


def test_parts_line_of_shifted_content_rederived(tmp_path):
    """Parts on their own line (tests/test_parts_line.py's instance, pass-through 0.5 on parts):
    derived here from the instance's numbers and the customs-value formula v(t) = v0 (1 + p t) /
    (1 + p t0) x (1 + t0) / (1 + t), not from the option table. 100 cars shifted at 10% partner
    content are 100 x 10,000 x 10% / v0 = 100,000 units of parts at 25%: their value, the duty
    (t v per unit), the exporters' margin per unit (m0 - (v0 - v)), and the balance, which moves
    by the cars' value less the parts' value. Against the plain-Python evaluation, every metric
    they touch, and the welfare nets (home: + duty; partner: + parts margin - duty - the cars'
    margin)."""
    from test_parts_line import overrides
    inst = tiny(tmp_path, overrides(pass_through=0.5))
    parts, car, maker = inst.segments["parts"], inst.segments["car"], inst.makers["acme"]
    p, t, t0 = parts.pass_through, 0.25, parts.base_tariff
    v = parts.import_price * (1 + p * t) / (1 + p * t0) * (1 + t0) / (1 + t)
    units = 100 * car.import_price * maker.partner_content / parts.import_price
    value, duty, margin = units * v, units * t * v, units * (parts.partner_margin - (parts.import_price - v))
    at = {"tariff": {"car": "flat_0", "truck": "flat_0", "parts": "flat_25"}}
    before = evaluate(inst, Deal(**at))
    after = evaluate(inst, Deal(**at, shift={("acme", "car"): 100.0}))
    d = {k: after[k] - before[k] for k in after}
    cars_value, cars_margin = 100 * car.import_price, 100 * car.partner_margin   # cars at 0%: v stays 10,000
    assert d["shift_parts_imports_value"] == pytest.approx(value, rel=REL)
    assert d["deficit"] == pytest.approx(-cars_value + value, rel=REL)
    assert d["shift_parts_duty"] == pytest.approx(duty, rel=REL)
    assert d["tariff_revenue"] == pytest.approx(duty, rel=REL)
    assert d["partner_export_margin"] == pytest.approx(-cars_margin + margin, rel=REL)
    assert d["partner_welfare"] == pytest.approx(-cars_margin + margin - duty, rel=REL)
    # Home welfare: the parts' duty; the cars leave imports with home production replacing them at
    # no change in buyers' prices (cars at 0% with and without the shift).
    assert d["home_welfare"] == pytest.approx(duty, rel=REL)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["july_2025_over_time", "toyota_2025_over_time", "staged_relief"])
def test_every_year_and_the_present_values_rederived(name):
    """A deal over a horizon: each year's deficit, welfare and third-country imports re-derived here from
    that year's levers (as results.json reports them) on that year's data (growth applied by hand: each
    segment's home market times its index), and the present values summed here with 1 / (1 + r)^k."""
    from types import SimpleNamespace

    from model.data.horizon import year_instance
    path = next(p for p in shipped() if p.stem == name)
    inst = load(path)
    r = solve_instance(inst, concessions=False)
    assert r.status == "optimal" and r.over_time is not None
    ot, hz = r.over_time, inst.horizon
    rate = hz.discount_rate
    for i, year in enumerate(ot.years):
        one = year_instance(inst, year)
        for s, g in one.segments.items():      # the growth, restated: (1 + rate)^k for a rate
            growth = hz.growth.get(s)
            factor = 1.0 if growth is None else (1 + growth.rate) ** i if growth.rate is not None else growth.index[i]
            assert g.imports == pytest.approx(inst.segments[s].imports * factor, rel=1e-12)
        levers = SimpleNamespace(levers=[lv for lv in ot.levers if lv.year == year])
        derived = headline(one, _deal_from_levers(one, levers))
        for metric in ot.metrics:
            if metric.name in derived and metric.deal is not None:
                assert metric.deal[i] == pytest.approx(derived[metric.name], rel=REL, abs=1e-3), (year, metric.name)
    for metric in ot.metrics:
        if metric.summed == "present value" and metric.deal is not None:
            pv = sum(v / (1 + rate) ** k for k, v in enumerate(metric.deal))
            assert metric.deal_sum == pytest.approx(pv, rel=1e-12, abs=1e-6), metric.name
