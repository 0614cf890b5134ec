"""Production shifts: vehicles partner makers move from partner plants to their plants in the home country.

Instance file: `makers` (each with its spare capacity in home-country plants, the
segments it builds, and its margin on a vehicle built there), and `production_shift:`
under `no_deal`/`fixed_levers` (maker -> segment -> vehicles a year).

Model: production_shift[k,s] >= 0 (thousand vehicles); shift_by_option[s,o] >= 0 splits a
segment's shift over its tariff options, so that the shift moves the metrics at the chosen
option's rate per shifted vehicle (`model.economics.shifts.effect`) while the model stays linear:
- spare_capacity[k]: sum_s production_shift[k,s] <= spare_capacity_k;
- shift_split[s]: sum_o shift_by_option[s,o] = sum_k production_shift[k,s];
- shift_within_imports[s,o]: shift_by_option[s,o] <= most(s,o) x choice(s,o), most the
  option's imports (a flat rate) or the brand's sales at the in-quota rate (a quota: a
  home-built vehicle needs no licence, so other exports fill the cap);
- terms: sum_o effect(s,o)[metric] x shift_by_option[s,o] for every metric the option's line
  moves (a flat rate: imports and their value, duty, margin and rent at the option's average,
  home production +1, partner production -1; a quota: the chord of the line solved exactly with
  and without the shift); the makers earn their home-plant margin on it; the shifted
  vehicles' partner parts are imported from the partner and their other foreign content from
  third countries (`partner_content`, `home_content`: metrics `shift_parts_imports_value` and
  `shift_third_content_value`, in `imports_value` and `third_imports_value`);
- parts as a tariff line (`parts_segment`): where a maker names a parts segment p, its shifted
  vehicles' partner parts are that segment's imports instead of a bare value: q = value_s x c_p /
  v_p0 units of p per vehicle, paying the parts line's chosen option (customs value v_p(o), duty
  v_p(o) x t_p(o), the partner exporters' margin m_p(o) per unit), the duty out of the maker's
  plant margin. parts_content[k,s,o] >= 0 splits the shift over p's options (exact: a continuous
  amount times a binary): parts_content_split[k,s]: sum_o parts_content[k,s,o] =
  production_shift[k,s]; parts_content_within[k,s,o]: parts_content[k,s,o] <= U_ks x choice(p,o),
  U_ks the most the shift can be (spare capacity, and the segment's largest imports);
- quota_imports[line], quota_rent[line], quota_tariff_equivalent[line]: the quota table's
  figures of each line with a quota option, as the model states them.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.data.catalogue import MONEY, VOL, IndexedMetric, MetricInfo
from model.data.families.base import Check, LeverFamily, Section, Variable, option_family, segments_unit
from model.data.fields import Q, Strict, Unlimited, declaration_of, declared, own_unit, quantity, text

NAME = "production_shift"


class MakerSpec(Strict):
    """A partner maker that can shift production from partner plants to its plants in the
    home country, replacing imports of the segments it builds."""

    label: str = text("The maker's name in reports.")
    spare_capacity: Q | Unlimited = quantity("Vehicles a year its home-country plants could add, or `unlimited`.",
                                             "vehicles", ge=0, drawable=True, unlimited=True)
    home_plant_margin: Q | None = quantity(
        "The maker's margin on a vehicle built in its home-country plant (a production shift earns it this, "
        "in the partner's payoff as `partner_plant_margin`); if left out, 0.", "USD/vehicle", ge=0,
        drawable=True, default=None)
    segments: list[str] = text("The segments it builds: production can shift only in these.")
    partner_content: Q | None = quantity(
        "Share of the value of a vehicle it builds in a home-country plant made of parts imported from the "
        "partner (engines, transmissions, ...); the shift imports them (metric `shift_parts_imports_value`). "
        "If left out, 0.", "share", ge=0, le=1, drawable=True, default=None)
    home_content: Q | None = quantity(
        "Share of the value of a vehicle it builds in a home-country plant made in the home country (parts, "
        "assembly, labour); the rest, 1 - home - partner content, is imported from third countries (metric "
        "`shift_third_content_value`). If left out, 1 - partner_content.", "share", ge=0, le=1, drawable=True,
        default=None)
    parts_segment: str | None = text(
        "A segment that is the partner's parts on a tariff line of their own (e.g. auto parts, HS 8708, counted in "
        "USD at USD 1 a unit), whose imports the shifted vehicles' partner content raises: value x partner_content "
        "/ the segment's import_price units a vehicle, paying that line's chosen tariff (duty, out of the maker's "
        "plant margin, and tariff revenue) and earning the partner's exporters their margin on them. Its line may "
        "not have a quota option. If left out, the partner content is imported as a bare value (no tariff).",
        default=None)


@dataclass(frozen=True)
class Maker:
    """A partner maker that can shift production into its plants in the home country."""

    name: str
    label: str
    spare_capacity: float            # vehicles a year
    segments: tuple[str, ...]
    home_plant_margin: float = 0.0   # USD a vehicle the maker earns on one built in the home country
    partner_content: float = 0.0     # share of a home-built vehicle's value imported from the partner (parts)
    home_content: float = 1.0        # share made in the home country; the rest comes from third countries
    parts_segment: str | None = None  # the segment its home-built vehicles' partner parts are imported on


DEAL_ENTRY = (dict[str, dict[str, Q]], quantity(
    "Maker -> segment -> vehicles a year moved from partner plants to the maker's home-country plants.",
    "vehicles", ge=0, default_factory=dict))


def read(reader, given: dict, inst) -> dict:
    out = {}
    for key, mk in given["makers"].items():
        p = f"makers.{key}"
        for i, s in enumerate(mk.segments):
            reader.ref(s, inst.segments, f"{p}.segments[{i}]", "segment")
        unit = reader.shared_unit(p, mk.segments, inst.segments, "spare capacity")

        def own(name: str) -> str:
            return own_unit(declared(MakerSpec, name).dimension, unit)
        partner = 0.0 if mk.partner_content is None else reader.field(mk, "partner_content", p)
        home = 1.0 - partner if mk.home_content is None else reader.field(mk, "home_content", p)
        if mk.home_content is not None and partner + home > 1 + 1e-12:
            reader.error(f"{p}.home_content", f"home content {home:.0%} and partner content {partner:.0%} add up to "
                         "more than the vehicle's whole value", "the rest, 1 - home - partner, comes from third "
                         "countries: lower one of them")
        parts = mk.parts_segment
        if parts is not None and reader.ref(parts, inst.segments, f"{p}.parts_segment", "segment"):
            if parts in mk.segments:
                reader.error(f"{p}.parts_segment", f"'{parts}' is one of the segments the maker builds: the parts "
                             "segment is the line its home-built vehicles' partner parts are imported on",
                             hint="name a parts segment (e.g. auto parts counted in USD) that the maker does not build")
            elif inst.segments[parts].tariff_menu in inst.menus and any(o.is_quota for o in inst.options(parts)):
                reader.error(f"{p}.parts_segment", f"the tariff line of parts segment '{parts}' has a quota option: "
                             "the shifted vehicles' parts are counted at a flat rate's duty and margin per unit",
                             hint="give the parts segment a menu of flat rates")
            elif inst.segments[parts].import_price <= 0:
                reader.error(f"{p}.parts_segment", f"parts segment '{parts}' has no import price to count the parts "
                             "in its units")
        elif parts is not None:
            parts = None
        out[key] = Maker(name=key, label=mk.label, segments=tuple(s for s in mk.segments if s in inst.segments),
                         spare_capacity=reader.bound(mk, "spare_capacity", p, dimension=own("spare_capacity")),
                         home_plant_margin=0.0 if mk.home_plant_margin is None else reader.field(
                             mk, "home_plant_margin", p, dimension=own("home_plant_margin")),
                         partner_content=partner, home_content=home, parts_segment=parts)
    return {"makers": out}


def read_deal(reader, given: dict, path: str, inst, complete: bool) -> dict:
    out = {}
    per = declaration_of(DEAL_ENTRY[1])
    for k, by_segment in given.items():
        if not reader.ref(k, inst.makers, f"{path}.{k}", "maker"):
            continue
        for s, q in by_segment.items():
            sp = f"{path}.{k}.{s}"
            if reader.ref(s, inst.makers[k].segments, sp, f"segment for maker '{k}'"):
                out[(k, s)] = reader.q(q, sp, per, dimension=own_unit(per.dimension, inst.segments[s].unit))
    return out


def keys(inst) -> list:
    return [(k, s) for k, mk in inst.makers.items() for s in mk.segments]


def _makers_of(inst) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {s: [] for s in inst.segments}
    for k, mk in inst.makers.items():
        for s in mk.segments:
            out[s].append(k)
    return out


def spare_capacity_rows(v, inst, table, refs, metrics, linear):
    """Production shifts fit in spare home plants: sum_s production_shift[k,s] <= spare_capacity_k."""
    for k, mk in inst.makers.items():
        yield k, linear(None, [v.production_shift[k, s] for s in mk.segments]), "<=", mk.spare_capacity / VOL, VOL


def shift_split_rows(v, inst, table, refs, metrics, linear):
    """The shift on a segment is split over its options: sum_o shift_by_option[s,o] = sum_k production_shift[k,s]."""
    options, makers = v.index_maps.options, _makers_of(inst)
    for s in v.SEGMENTS:
        yield (s, sum(v.shift_by_option[s, o] for o in options[s]), "==",
               sum(v.production_shift[k, s] for k in makers[s]), None)


# The metric terms a shift moves (base units per shifted unit, `model.economics.shifts`), and
# the per-line terms of the quota table (`quota_imports[line]`, ...).
TERMS = ("imports_units", "imports_value", "tariff_revenue", "home_importer_rent", "buyer_cost",
         "home_production_gain", "partner_export_margin", "partner_production_loss", "partner_quota_rent",
         "third_imports_units", "third_imports_value", "third_tariff_revenue", "third_exporter_surplus_change",
         "producer_surplus_change", "buyer_price_change")
LINE_TERMS = ("quota_imports", "quota_rent", "quota_tariff_equivalent")
COUNTED = ("imports_units", "home_production_gain", "partner_production_loss", "third_imports_units")


def quota_lines(inst) -> dict:
    """Tariff lines with a quota or restraint among their options (the quota table's lines)."""
    return {name: line for name, line in inst.lines.items() if any(o.is_quota for o in inst.line_options(name))}


def line_figures(rows) -> dict[str, float]:
    """A quota line's imports, rent and tariff equivalent (the quota table's figures) from its outcomes."""
    return {"quota_imports": sum(o.imports for o in rows), "quota_rent": sum(o.quota_rent for o in rows),
            "quota_tariff_equivalent": max(o.effective_tariff for o in rows)}


def content_per_unit(inst, maker: str, segment: str) -> tuple[float, float]:
    """(partner parts imported as a bare value, third-country content imported) per vehicle `maker`
    builds in a home plant in `segment`, USD: value x c_p and value x (1 - c_h - c_p), value the
    segment's calibration-year customs value (parts prices do not move with the vehicle tariff).
    The first is 0 where the maker names a `parts_segment`: its parts are that line's imports
    (`parts_units_per_unit`)."""
    mk, value = inst.makers[maker], inst.segments[segment].import_price
    bare = 0.0 if mk.parts_segment else value * mk.partner_content
    return bare, value * max(0.0, 1.0 - mk.home_content - mk.partner_content)


def parts_units_per_unit(inst, maker: str, segment: str) -> float:
    """Units of the maker's parts segment p imported per vehicle it builds in a home plant in
    `segment`: value_s x c_p / v_p0 (the content at calibration-year prices, in p's units)."""
    mk = inst.makers[maker]
    return inst.segments[segment].import_price * mk.partner_content / inst.segments[mk.parts_segment].import_price


def parts_per_unit(inst, parts: str, outcome) -> dict[str, float]:
    """What one unit of parts segment `parts` imported at an option's outcome moves, USD: its
    customs value v_p(o), the duty v_p(o) x t_p(o) (the option's duty rate), and the partner
    exporters' margin m_p(o) (the option's margin per unit imported; at no imports, the
    calibration margin less what the customs value fell by)."""
    seg = inst.segments[parts]
    value = outcome.unit_value
    if outcome.imports > 0:
        margin = outcome.export_margin / outcome.imports
    else:
        margin = max(0.0, seg.partner_margin - (seg.import_price - value))
    return {"imports_value": value, "tariff_revenue": outcome.duty_rate * value, "partner_export_margin": margin}


def parts_keys(inst, table) -> list[tuple[str, str, str]]:
    """(maker, segment, option of its parts segment) for each maker with a `parts_segment`."""
    return [(k, s, o) for k, mk in inst.makers.items() if mk.parts_segment for s in mk.segments
            for (p, o) in table if p == mk.parts_segment]


def _parts_bound(inst, table, maker: str, segment: str) -> float:
    """The most production_shift[k,s] can be: the maker's spare capacity, and the segment's
    largest imports over its options (shift_within_imports), vehicles."""
    most = max(_most(o) for (s, _), o in table.items() if s == segment)
    return min(inst.makers[maker].spare_capacity, most)


def parts_content_split_rows(v, inst, table, refs, metrics, linear):
    """The shift of a maker with a parts segment is split over that segment's options:
    sum_o parts_content[k,s,o] = production_shift[k,s]."""
    by_key: dict[tuple[str, str], list] = {}
    for k, s, o in parts_keys(inst, table):
        by_key.setdefault((k, s), []).append(v.parts_content[k, s, o])
    for (k, s), parts in by_key.items():
        yield (k, s), sum(parts), "==", v.production_shift[k, s], None


def parts_content_within_rows(v, inst, table, refs, metrics, linear):
    """Only the parts option chosen carries the shift's parts: parts_content[k,s,o] <= U_ks x
    choice(p,o), U_ks = min(spare capacity, the segment's largest imports), thousand vehicles."""
    choice = dict(zip(v.OPTIONS, option_family().choices(v, inst)))
    for k, s, o in parts_keys(inst, table):
        p = inst.makers[k].parts_segment
        yield (k, s, o), v.parts_content[k, s, o], "<=", _parts_bound(inst, table, k, s) / VOL * choice[p, o], None


def _per_unit(outcome, term: str) -> float:
    """An outcome's change in `term` per unit shifted (0 where the outcome carries no effect)."""
    e = outcome.shift_effect
    return 0.0 if e is None else e.per_unit[term]


def _line_per_unit(outcome, term: str) -> float:
    e = outcome.shift_effect
    return 0.0 if e is None else e.line[term]


def _most(outcome) -> float:
    e = outcome.shift_effect
    return outcome.imports if e is None else e.most


def shift_within_imports_rows(v, inst, table, refs, metrics, linear):
    """Shifted production replaces sales that exist: shift_by_option[s,o] <= most(s,o) x
    choice(s,o) (the chosen option's binary; most: the option's imports, or under a quota the
    brand's sales at the in-quota rate, since a home-built vehicle needs no licence)."""
    choice = option_family().choices(v, inst)
    for (s, o), y in zip(v.OPTIONS, choice):
        yield (s, o), v.shift_by_option[s, o], "<=", _most(table[s, o]) / VOL * y, None


def _content(inst) -> tuple[list, list]:
    """Per (maker, segment) key: partner parts and third-country content per vehicle shifted, USD."""
    per = [content_per_unit(inst, k, s) for k, s in keys(inst)]
    return [p for p, _ in per], [t for _, t in per]


def _quota_line_of(inst) -> dict[str, str]:
    return {s: name for name, line in quota_lines(inst).items() for s in line.segments}


def terms(v, inst, table, linear) -> dict:
    """The shift's terms: each metric moves by the chosen option's effect per shifted unit; the
    makers' plant margin and the shifted vehicles' imported content; the quota table's figures."""
    options = list(v.OPTIONS)
    ws = [v.shift_by_option[k] for k in options]
    hs = [v.production_shift[k] for k in keys(inst)]
    scale = {m: VOL if m in COUNTED else 1.0 if m == "buyer_price_change" else MONEY for m in TERMS}

    def per_shift(term: str):
        coefs = [0.0 if term in COUNTED and not inst.counted(k[0]) else _per_unit(table[k], term) * VOL / scale[term]
                 for k in options]
        keep = [i for i, c in enumerate(coefs) if c != 0]
        return linear([coefs[i] for i in keep], [ws[i] for i in keep])
    out = {m: per_shift(m) for m in TERMS}
    for s in inst.uncounted:          # a shift on a segment in its own unit moves its own imports metric
        on = [i for i, k in enumerate(options) if k[0] == s]
        out[f"imports_units[{s}]"] = linear([_per_unit(table[options[i]], "imports_units") for i in on],
                                            [ws[i] for i in on])
    parts, third = _content(inst)
    out["imports_value"] = out["imports_value"] + linear([p * VOL / MONEY for p in parts], hs)
    out["third_imports_value"] = out["third_imports_value"] + linear([t * VOL / MONEY for t in third], hs)
    out["shift_parts_imports_value"] = linear([p * VOL / MONEY for p in parts], hs)
    out["shift_third_content_value"] = linear([t * VOL / MONEY for t in third], hs)
    out["partner_plant_margin"] = linear([inst.makers[k].home_plant_margin * VOL / MONEY for k, _ in keys(inst)], hs)
    # Parts on their own line: per vehicle shifted, q units of p at the chosen parts option's figures.
    pk = parts_keys(inst, table)
    if pk:
        per = {(k, s, o): {m: x * parts_units_per_unit(inst, k, s) * VOL / MONEY for m, x in
                           parts_per_unit(inst, inst.makers[k].parts_segment, table[inst.makers[k].parts_segment, o])
                           .items()} for k, s, o in pk}
        pc = [v.parts_content[key] for key in pk]
        value, duty, margin = (linear([per[key][m] for key in pk], pc)
                               for m in ("imports_value", "tariff_revenue", "partner_export_margin"))
        for p in dict.fromkeys(inst.makers[k].parts_segment for k, _, _ in pk):   # each parts line's units
            on = [i for i, (k, _, _) in enumerate(pk) if inst.makers[k].parts_segment == p]
            units = linear([parts_units_per_unit(inst, pk[i][0], pk[i][1]) for i in on], [pc[i] for i in on])
            if inst.counted(p):
                out["imports_units"] = out["imports_units"] + units
            else:                          # parts in their own unit: their own metric, not the headline total
                out[f"imports_units[{p}]"] = out[f"imports_units[{p}]"] + units
        out["imports_value"] = out["imports_value"] + value
        out["shift_parts_imports_value"] = out["shift_parts_imports_value"] + value
        out["tariff_revenue"] = out["tariff_revenue"] + duty
        out["shift_parts_duty"] = duty
        out["partner_export_margin"] = out["partner_export_margin"] + margin
        out["partner_plant_margin"] = out["partner_plant_margin"] - duty
    # The quota table's figures: the option table's, on the choices, plus the shift's terms.
    choice = dict(zip(v.OPTIONS, option_family().choices(v, inst)))
    line_of = _quota_line_of(inst)
    for name in dict.fromkeys(line_of.values()):
        opts = [k for k in options if line_of.get(k[0]) == name]
        first = inst.lines[name].segments[0]
        lead = [k for k in opts if k[0] == first]          # a line's binary serves each of its segments
        for m, unit in zip(LINE_TERMS, (VOL, MONEY, 1.0)):
            if m == "quota_tariff_equivalent":
                base = [max(table[s, k[1]].effective_tariff for s in inst.lines[name].segments) for k in lead]
            else:
                attr = "imports" if m == "quota_imports" else "quota_rent"
                base = [sum(getattr(table[s, k[1]], attr) for s in inst.lines[name].segments) / unit for k in lead]
            shifted = [_line_per_unit(table[k], m) * VOL / unit for k in opts]
            out[f"{m}[{name}]"] = linear(base + shifted, [choice[k] for k in lead] + [v.shift_by_option[k] for k in opts])
    return out


def values(inst, amounts: dict, outcomes) -> dict:
    """The same terms in plain Python, at the chosen options' effects per shifted unit."""
    shift = {s: 0.0 for s in inst.segments}
    for (_, s), x in amounts.items():
        shift[s] += x
    out = {m: sum(_per_unit(outcomes[s], m) * shift[s] for s in inst.segments if m not in COUNTED or inst.counted(s))
           for m in TERMS}
    for s in inst.uncounted:               # a shift on a segment in its own unit: its own imports metric
        out[f"imports_units[{s}]"] = _per_unit(outcomes[s], "imports_units") * shift[s]
    content = {(k, s): content_per_unit(inst, k, s) for (k, s) in amounts}
    parts = sum(x * content[key][0] for key, x in amounts.items())
    third = sum(x * content[key][1] for key, x in amounts.items())
    out["imports_value"] += parts
    out["third_imports_value"] += third
    out["shift_parts_imports_value"] = parts
    out["shift_third_content_value"] = third
    out["partner_plant_margin"] = sum(x * inst.makers[k].home_plant_margin for (k, _), x in amounts.items())
    out["shift_parts_duty"] = 0.0
    for (k, s), x in amounts.items():          # parts on their own line, at its chosen option
        p = inst.makers[k].parts_segment
        if p is None or not x:
            continue
        q = x * parts_units_per_unit(inst, k, s)
        per = parts_per_unit(inst, p, outcomes[p])
        if inst.counted(p):
            out["imports_units"] += q
        else:                                  # parts in their own unit: their own metric
            out[f"imports_units[{p}]"] = out.get(f"imports_units[{p}]", 0.0) + q
        out["imports_value"] += q * per["imports_value"]
        out["shift_parts_imports_value"] += q * per["imports_value"]
        out["tariff_revenue"] += q * per["tariff_revenue"]
        out["shift_parts_duty"] += q * per["tariff_revenue"]
        out["partner_export_margin"] += q * per["partner_export_margin"]
        out["partner_plant_margin"] -= q * per["tariff_revenue"]
    line_of = _quota_line_of(inst)
    for name in dict.fromkeys(line_of.values()):
        members = inst.lines[name].segments
        fig = line_figures([outcomes[s] for s in members])
        for m in LINE_TERMS:
            out[f"{m}[{name}]"] = fig[m] + sum(_line_per_unit(outcomes[s], m) * shift[s] for s in members)
    return out


def checks(inst, amounts: dict, outcomes) -> list:
    """spare_capacity per maker; shift_within_imports per segment, against the most the chosen
    option allows (recomputed from the responses)."""
    home = inst.parties["home"]
    by_maker: dict[str, list[float]] = {}
    by_segment: dict[str, list[float]] = {}
    for (k, s), x in amounts.items():
        by_maker.setdefault(k, []).append(x)
        by_segment.setdefault(s, []).append(x)
    out = [Check(f"spare_capacity[{k}]", f"spare capacity in {mk.label}'s {home} plants", "partner", "capacity",
                 sum(by_maker.get(k, ())), "<=", mk.spare_capacity, segments_unit(inst, mk.segments))
           for k, mk in inst.makers.items()]
    out += [Check(f"shift_within_imports[{s}]", f"production shifted in {seg.label} replaces existing sales",
                  "partner", "production", sum(by_segment.get(s, ())), "<=", _most(outcomes[s]),
                  seg.unit)
            for s, seg in inst.segments.items()]
    return out


def say(rows, ctx: dict, name: str, words) -> list[str]:
    """'Toyota builds 15,168 luxury cars a year in the United States instead of exporting them'."""
    by_maker: dict[str, list] = {}
    for lv in rows:
        if lv.value > 0:
            c = ctx.get((lv.name, lv.index), {})
            by_maker.setdefault(c.get("group") or lv.label, []).append((c.get("item", ""), lv))
    out = []
    for maker, items in by_maker.items():
        total = sum(lv.value for _, lv in items)
        if len(items) == 1:
            item, lv = items[0]
            what = f"{total:,.0f} of its {item}" if item else words.amount(total, lv.unit)
        else:
            what = words.amount(total, items[0][1].unit) + " (" + ", ".join(
                f"{i} {lv.value:,.0f}" for i, lv in items) + ")"
        out.append(f"{words.short(maker)} builds {what} a year in its {words.home} plants instead of exporting them"
                   + (" (fixed by the instance)" if all(lv.fixed for _, lv in items) else ""))
    return out


FAMILY = LeverFamily(
    step=(1000.0, "vehicles", "vehicles"),  # one realistic step of its bounds (`settings.steps`)
    name=NAME, deal_field="shift", section="production_shift", party="partner", kind="quantity", short="shift",
    keys=keys, unit=lambda inst, k: inst.segments[k[1]].unit, scale=lambda inst, k: VOL,
    label=lambda inst, k: f"{inst.makers[k[0]].label}: {inst.segments[k[1]].label} built in {inst.parties['home']}",
    upper=lambda inst, k: inst.makers[k[0]].spare_capacity, limited_by="the imports it replaces",
    limit_field=lambda k: f"makers.{k[0]}.spare_capacity",
    bridge_step="shift", bridge_label="production shifted to home plants",
    sections=(Section("makers", dict[str, MakerSpec], "Maker key -> a partner maker that can shift production.",
                      entry="maker", docs=(("makers", MakerSpec, 2),)),),
    deal_entry=DEAL_ENTRY, read=read, read_deal=read_deal,
    variables=(Variable("shift_by_option", lambda inst, table: list(table)), Variable("parts_content", parts_keys)),
    rows=(("spare_capacity", spare_capacity_rows), ("shift_split", shift_split_rows),
          ("shift_within_imports", shift_within_imports_rows), ("parts_content_split", parts_content_split_rows),
          ("parts_content_within", parts_content_within_rows)),
    terms=terms, values=values, checks=checks, phrase=say,
    metrics={
        "shift_parts_imports_value": MetricInfo("USD", "value of the partner's parts in vehicles its makers build in "
                                                       "home-country plants (imported from the partner)", None),
        "shift_third_content_value": MetricInfo("USD", "value of third countries' content in vehicles the partner's "
                                                       "makers build in home-country plants", None),
        "shift_parts_duty": MetricInfo("USD", "duty the makers' home plants pay on the partner's parts in vehicles "
                                              "they build there (where a maker names a parts segment: in tariff "
                                              "revenue, and out of the plant margin)", None)},
    indexed_metrics={
        "quota_imports": IndexedMetric("quota line", "{units} imported under the line's quota or restraint", "vehicles",
                                       quota_lines, named=True),
        "quota_rent": IndexedMetric("quota line", "rent of the line's quota or restraint", "USD", quota_lines,
                                    named=True),
        "quota_tariff_equivalent": IndexedMetric("quota line", "tariff equivalent of the line's quota or restraint",
                                                 "fraction", quota_lines, named=True)},
    context=lambda inst, k: {"group": inst.makers[k[0]].label, "item": inst.segments[k[1]].label},
    key_names=("maker", "segment"),
)
