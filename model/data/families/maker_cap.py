"""Caps per maker: how many vehicles each home maker may sell in the partner's market on home standards.

A standards cap of the kind in the 2018 amendment of the US–Korea agreement: each US maker
may sell up to K vehicles a year in Korea built to US safety standards (above K they must
be certified to Korea's). The partner chooses K for a cap program from a menu (the deal's
concession), or the instance fixes it.

Instance file: `maker_caps` (program key -> its label, the calibration-year cap `base`, the
menu `levels`, and its `makers`: each with its segment, export value per vehicle and
calibration-year `sales`, and optionally its `demand` or a `reservation_share`), and
`maker_cap:` under `no_deal`/`fixed_levers` (program -> a cap level of its menu, or an
option name; `no_deal` defaults to `base`).

Economics, maker m of program p at cap K (D_m: what the partner's buyers would take from it
on home standards without a cap, at today's prices):
    sales_m(K) = min(D_m, K),        delta_m(K) = min(D_m, K) - sales_m(K0),
so a cap above demand is worth nothing and a cap below today's sales cuts them. D_m is
  - `demand` where the instance states it;
  - else `reservation_share` x the segment's `partner_ceiling` (the partner buyers' ceiling
    for home-made vehicles of the segment): needed when the calibration-year cap held the
    maker back (sales at the cap), or when it sold nothing under a cap of zero;
  - else its sales, when they were below the calibration-year cap (the cap did not bind, so
    they reveal its demand). A maker that sold nothing and states no reservation share
    therefore responds with zero at every cap.
The loader checks that sales = min(D_m, K0): the calibration year must be what the cap and
the demand give. D_m is derived where it is used (`demand_of`), so that a sweep of a share,
a ceiling or the sales moves it.

Model: maker_cap_choice[p,o] binary, one option per program. The makers' calibration-year
sales are part of their segments' `exports`; the change sum_(m in p, seg m = s) delta_m(o)
x choice[p,o] adds, as the dealer networks' commitments do, to
- partner_sales[s] (so it counts against the buyers' ceiling in the core's row),
- exports_units, exports_value (x the maker's `unit_value`) and home_production_gain,
- partner_production_loss (x the segment's `displacement`).

Not built: an export restraint allocated per partner maker (the partner's makers' exports to
the home market). It needs demand per partner maker inside the segment's demand system;
the tariff menus' pooled `export_restraints` remain the way to state a restraint.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.data.catalogue import MONEY, VOL
from model.data.families.base import PARTNER_SALES, LeverFamily, Section
from model.data.fields import Q, Strict, declaration_of, declared, own_unit, quantity, text

NAME = "maker_cap"
TOLERANCE = 0.5          # vehicles: sales must equal min(demand, base cap) to within this


class CappedMakerSpec(Strict):
    """A home maker whose vehicles sold in the partner's market on home standards are capped."""

    label: str = text("The maker's name in reports.")
    segment: str = text("The segment its vehicles belong to: its unit, its `partner_ceiling` (for a "
                        "`reservation_share`) and its `displacement`. Its `sales` are part of the segment's `exports`.")
    unit_value: Q = quantity("Export value per vehicle the maker sells in the partner's market.", "USD/vehicle",
                             gt=0, drawable=True)
    sales: Q = quantity("Vehicles it sold in the partner's market on home standards in the calibration year "
                        "(0 for a maker with no sales: it then responds with zero unless a `reservation_share` "
                        "is stated).", "vehicles", ge=0, drawable=True)
    demand: Q | None = quantity("Vehicles a year the partner's buyers would take from it on home standards with "
                                "no cap, at today's prices (default: its `sales` when they were below the "
                                "calibration-year cap, or its `reservation_share`).", "vehicles", ge=0,
                                drawable=True, default=None)
    reservation_share: Q | None = quantity(
        "Its demand as a share of its segment's `partner_ceiling`: for a maker the calibration-year cap held "
        "back (sales at the cap) or kept out (sales 0 under a cap of 0). Not with `demand`.", "share", ge=0,
        le=1, drawable=True, default=None)


class CapProgramSpec(Strict):
    """A cap on each of its makers' vehicles sold in the partner's market on home standards: one
    level, chosen from `levels`, applies to every maker of the program (a maker with a cap of its
    own is a program of its own)."""

    label: str = text("The program's name in reports, e.g. 'US makers' vehicles on US standards'.")
    base: Q = quantity("The cap per maker in the calibration year (also the no-deal level unless `no_deal` "
                       "names another).", "vehicles", ge=0)
    levels: list[Q] = quantity("The cap levels per maker the partner may offer (the menu; `base` is always one "
                               "of them, so a menu of `base` alone fixes the cap).", "vehicles", ge=0)
    makers: dict[str, CappedMakerSpec] = text("Maker key -> a home maker under the cap.")


@dataclass(frozen=True)
class CappedMaker:
    name: str
    label: str
    segment: str
    unit_value: float                        # USD a vehicle
    sales: float                             # calibration year, vehicles
    demand: float | None = None              # stated: without a cap, vehicles a year
    reservation_share: float | None = None   # of the segment's partner_ceiling


def demand_of(inst, m: CappedMaker) -> float:
    """D_m: its stated demand, else its reservation share of its segment's buyers' ceiling, else
    its sales (derived here, not at load, so that sweeps of the fields it comes from move it)."""
    if m.demand is not None:
        return m.demand
    if m.reservation_share is not None:
        return m.reservation_share * inst.segments[m.segment].partner_ceiling
    return m.sales


def delta(inst, m: CappedMaker, cap: float) -> float:
    """Change in its sales at cap `cap` against the calibration year: min(D, K) - sales."""
    return min(demand_of(inst, m), cap) - m.sales


@dataclass(frozen=True)
class CapProgram:
    name: str
    label: str
    base: float                      # vehicles per maker
    levels: tuple[float, ...]        # ascending, base included
    makers: dict[str, CappedMaker]
    unit: str = "vehicles"

    def option(self, level: float) -> str:
        return f"cap_{level:.10g}"

    @property
    def options(self) -> list[str]:
        return [self.option(k) for k in self.levels]

    def level(self, option: str) -> float:
        return dict(zip(self.options, self.levels))[option]

    def label_of(self, option: str) -> str:
        return f"at most {self.level(option):,.0f} {self.unit} per maker"


def read(reader, given: dict, inst) -> dict:
    out: dict[str, CapProgram] = {}
    for key, spec in given["maker_caps"].items():
        p = f"maker_caps.{key}"
        makers: dict[str, CappedMaker] = {}
        for mk, ms in spec.makers.items():
            mp = f"{p}.makers.{mk}"
            if not reader.ref(ms.segment, inst.segments, f"{mp}.segment", "segment"):
                continue
            seg = inst.segments[ms.segment]

            def own(name: str, seg=seg) -> str:
                return own_unit(declared(CappedMakerSpec, name).dimension, seg.unit)
            sales = reader.field(ms, "sales", mp, dimension=own("sales"))
            value = reader.field(ms, "unit_value", mp, dimension=own("unit_value"))
            if ms.demand is not None and ms.reservation_share is not None:
                reader.error(f"{mp}.reservation_share", "a maker states its `demand` or a `reservation_share`, "
                             "not both", hint="leave one out")
                continue
            makers[mk] = CappedMaker(
                mk, ms.label, ms.segment, value, sales,
                demand=None if ms.demand is None else reader.field(ms, "demand", mp, dimension=own("demand")),
                reservation_share=None if ms.reservation_share is None else reader.field(ms, "reservation_share", mp))
        unit = reader.shared_unit(f"{p}.makers", [m.segment for m in makers.values()], inst.segments, "cap")
        per = own_unit(declared(CapProgramSpec, "levels").dimension, unit)
        decl = declared(CapProgramSpec, "levels")
        base = reader.field(spec, "base", p, dimension=per)
        levels = {reader.q(lv, f"{p}.levels[{i}]", decl, dimension=per) for i, lv in enumerate(spec.levels)}
        program = CapProgram(key, spec.label, base, tuple(sorted(levels | {base})), makers, unit)
        for mk, m in makers.items():
            mp = f"{p}.makers.{mk}"
            demand = demand_of(inst, m)
            held = min(demand, base)
            if abs(held - m.sales) <= TOLERANCE:
                continue
            field = "demand" if m.demand is not None else "reservation_share" if m.reservation_share is not None \
                else "sales"
            if field == "sales":
                reader.error(f"{mp}.sales", f"{m.sales:,.0f} {unit} is above the calibration-year cap of "
                             f"{base:,.0f} per maker", hint=f"lower the sales or raise {p}.base")
            elif demand < m.sales:
                reader.error(f"{mp}.{field}", f"gives a demand of {demand:,.0f} {unit}, below its calibration-year "
                             f"sales of {m.sales:,.0f}", hint="demand without a cap is at least what it sold")
            else:
                reader.error(f"{mp}.{field}", f"a demand of {demand:,.0f} {unit} under the calibration-year cap of "
                             f"{base:,.0f} would sell {held:,.0f}, but its sales were {m.sales:,.0f}",
                             hint="a maker below the cap sold what it could: leave out demand and reservation "
                                  "share, or correct the sales or the base cap")
        for s in dict.fromkeys(m.segment for m in makers.values()):
            total = sum(m.sales for m in makers.values() if m.segment == s)
            others = sum(m.sales for prog in out.values() for m in prog.makers.values() if m.segment == s)
            if total + others > inst.segments[s].exports + TOLERANCE:
                reader.error(f"{p}.makers", f"the capped makers' sales in segment '{s}' ({total + others:,.0f}) exceed "
                             f"its exports ({inst.segments[s].exports:,.0f}), of which they are part",
                             hint=f"raise segments.{s}.exports or lower the makers' sales")
        out[key] = program
    return {"maker_caps": out}


DEAL_ENTRY = (dict[str, Q | str], quantity(
    "Cap program -> the cap per maker (one of its `levels`), or the option's name (`cap_50000`).", "vehicles", ge=0,
    default_factory=dict))


def read_deal(reader, given: dict, path: str, inst, complete: bool) -> dict:
    """Program -> option; `no_deal` gives each program it leaves out its `base` level."""
    out = {}
    decl = declaration_of(DEAL_ENTRY[1])
    for p, value in given.items():
        kp = f"{path}.{p}"
        if not reader.ref(p, inst.maker_caps, kp, "cap program"):
            continue
        program = inst.maker_caps[p]
        if isinstance(value, str):
            if value in program.options:
                out[p] = value
            else:
                reader.error(kp, f"'{value}' is not a cap level of program '{p}'",
                             hint=f"its options: {', '.join(program.options)}")
            continue
        level = reader.q(value, kp, decl, dimension=own_unit(decl.dimension, program.unit))
        match = [k for k in program.levels if abs(k - level) <= TOLERANCE]
        if match:
            out[p] = program.option(match[0])
        else:
            reader.error(kp, f"{level:,.0f} {program.unit} is not one of the program's cap levels",
                         hint=f"its levels: {', '.join(program.label_of(o) for o in program.options)}")
    if complete:
        for p, program in inst.maker_caps.items():
            out.setdefault(p, program.option(program.base))
    return out


def deltas(inst) -> dict[tuple[str, str], dict[str, list[tuple[float, float]]]]:
    """(program, option) -> segment -> [(change in units, export value per unit)] of its makers."""
    out: dict = {}
    for p, program in inst.maker_caps.items():
        for o, level in zip(program.options, program.levels):
            by_segment: dict[str, list] = {}
            for m in program.makers.values():
                by_segment.setdefault(m.segment, []).append((delta(inst, m, level), m.unit_value))
            out[p, o] = by_segment
    return out


def _pieces(inst):
    """[(program, option, segment, units, value)] with units != 0."""
    return [(p, o, s, sum(d for d, _ in xs), sum(d * v for d, v in xs))
            for (p, o), by_segment in deltas(inst).items() for s, xs in by_segment.items()
            if any(d != 0 for d, _ in xs)]


def market(v, inst, linear) -> dict:
    """partner_sales[s] += sum_(p,o) (sum of its makers' delta_m(o) in s) x maker_cap_choice[p,o]."""
    out: dict = {}
    for p, o, s, units, _ in _pieces(inst):
        key = (PARTNER_SALES, s)
        out[key] = out.get(key, 0) + units / VOL * v.maker_cap_choice[p, o]
    return out


def _chosen(inst, chosen: dict) -> dict[str, str]:
    """Program -> option, the calibration-year cap where the deal names none."""
    return {p: chosen.get(p, program.option(program.base)) for p, program in inst.maker_caps.items()}


def market_values(inst, chosen: dict) -> dict:
    out: dict = {}
    picked = _chosen(inst, chosen)
    for p, o, s, units, _ in _pieces(inst):
        if picked[p] == o:
            out[PARTNER_SALES, s] = out.get((PARTNER_SALES, s), 0) + units
    return out


def terms(v, inst, table, linear) -> dict:
    pieces = _pieces(inst)
    xs = [v.maker_cap_choice[p, o] for p, o, *_ in pieces]
    seg = inst.segments
    # Volume totals count only the segments in the headline unit (`Instance.counted`).
    units = linear([u / VOL * inst.counted(s) for _, _, s, u, _ in pieces], xs)
    return {
        "exports_units": units,
        "exports_value": linear([val / MONEY for *_, val in pieces], xs),
        "home_production_gain": units,
        "partner_production_loss": linear([seg[s].displacement * u / VOL * inst.counted(s)
                                           for _, _, s, u, _ in pieces], xs),
    }


def values(inst, chosen: dict, outcomes) -> dict:
    picked = _chosen(inst, chosen)
    pieces = [x for x in _pieces(inst) if picked[x[0]] == x[1]]
    units = sum(u for _, _, s, u, _ in pieces if inst.counted(s))          # headline unit only
    return {
        "exports_units": units,
        "exports_value": sum(val for *_, val in pieces),
        "home_production_gain": units,
        "partner_production_loss": sum(inst.segments[s].displacement * u for _, _, s, u, _ in pieces
                                        if inst.counted(s)),
    }


def say(rows, ctx: dict, name: str, words) -> list[str]:
    """'sets its cap on US makers' vehicles on US standards: at most 50,000 vehicles per maker
    (at most 25,000 vehicles per maker with no deal)'."""
    out = []
    for lv in rows:
        c = ctx.get((lv.name, lv.index), {})
        nd = c.get("no_deal_choice")
        if lv.choice is None or (nd == lv.choice and not lv.fixed):
            continue
        refs = [f"{nd} with no deal"] if nd and nd != lv.choice else []
        out.append(f"sets its cap on {words.short(c.get('group') or lv.label)}: {lv.choice}"
                   + (f" ({'; '.join(refs)})" if refs else "") + words.fixed(lv))
    return out


FAMILY = LeverFamily(
    step=(1000.0, "vehicles", "vehicles"),  # one realistic step of its bounds (`settings.steps`)
    name=NAME, deal_field="maker_caps", section="maker_cap", party="partner", kind="option", short="maker_cap",
    keys=lambda inst: list(inst.maker_caps), unit=lambda inst, p: inst.maker_caps[p].unit,
    label=lambda inst, p: f"{inst.parties['partner']}'s cap per maker on {inst.maker_caps[p].label}",
    # Its exports act on the deficit as the dealer networks' commitments do: it shares their step.
    bridge_step="commitments",
    options=lambda inst, p: inst.maker_caps[p].options,
    option_label=lambda inst, p, o: inst.maker_caps[p].label_of(o),
    # The analyses rank an option family's options by this 'rate', lowest the most generous to the
    # other side: for a cap the highest level, so the rate is minus the cap.
    option_rate=lambda inst, p, o, outcomes: -inst.maker_caps[p].level(o),
    sections=(Section("maker_caps", dict[str, CapProgramSpec], "Program key -> a cap per maker on home-made "
                      "vehicles sold in the partner's market on home standards.", entry="cap program",
                      docs=(("maker_caps", CapProgramSpec, None), ("maker_caps.makers", CappedMakerSpec, None))),),
    deal_entry=DEAL_ENTRY, read=read, read_deal=read_deal,
    market=market, market_values=market_values, terms=terms, values=values,
    phrase=say,
    context=lambda inst, p: {"group": inst.maker_caps[p].label} if p in inst.maker_caps else {},
    baseline=lambda inst, p, outcomes: -inst.maker_caps[p].base if p in inst.maker_caps else None,
    key_names=("program",),
)
