"""Production shifts: vehicles partner makers move from partner plants to their plants in the home country.

Instance file: `makers` (each with its spare capacity in home-country plants, the
segments it builds, and its margin on a vehicle built there), and `production_shift:`
under `no_deal`/`fixed_levers` (maker -> segment -> vehicles a year).

Model: production_shift[k,s] >= 0 (thousand vehicles); shift_by_option[s,o] >= 0 splits a
segment's shift over its tariff options, so that the shift removes imports at the chosen
option's average duty, margin and rent while the model stays linear:
- spare_capacity[k]: sum_s production_shift[k,s] <= spare_capacity_k;
- shift_split[s]: sum_o shift_by_option[s,o] = sum_k production_shift[k,s];
- shift_within_imports[s,o]: shift_by_option[s,o] <= imports(s,o) x choice(s,o);
- terms: imports fall by the shift (units), and by sum_o value(s,o)/imports(s,o) x
  shift_by_option[s,o] (value, tariff revenue, importers' and exporters' quota rent, the
  exporters' margin); home production gains and partner production loses the shift; the
  makers earn their home-plant margin on it.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.data.catalogue import MONEY, VOL
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


@dataclass(frozen=True)
class Maker:
    """A partner maker that can shift production into its plants in the home country."""

    name: str
    label: str
    spare_capacity: float            # vehicles a year
    segments: tuple[str, ...]
    home_plant_margin: float = 0.0   # USD a vehicle the maker earns on one built in the home country


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
        out[key] = Maker(name=key, label=mk.label, segments=tuple(s for s in mk.segments if s in inst.segments),
                         spare_capacity=reader.bound(mk, "spare_capacity", p, dimension=own("spare_capacity")),
                         home_plant_margin=0.0 if mk.home_plant_margin is None else reader.field(
                             mk, "home_plant_margin", p, dimension=own("home_plant_margin")))
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


def shift_within_imports_rows(v, inst, table, refs, metrics, linear):
    """Shifted production replaces imports that exist:
    shift_by_option[s,o] <= imports(s,o) x choice(s,o) (the chosen option's binary)."""
    choice = option_family().option_choice(v, inst)
    for (s, o), y in zip(v.OPTIONS, choice):
        yield (s, o), v.shift_by_option[s, o], "<=", table[s, o].imports / VOL * y, None


def _per_unit(t, attr: str) -> float:
    """An option's `attr` per imported unit, in USD million per thousand units (0 without imports)."""
    return getattr(t, attr) / t.imports * VOL / MONEY if t.imports > 0 else 0.0


def terms(v, inst, table, linear) -> dict:
    """The shift's terms: imports and what they carry fall at the chosen option's average."""
    options = list(v.OPTIONS)
    outcomes = [table[k] for k in options]
    ws = [v.shift_by_option[k] for k in options]
    hs = [v.production_shift[k] for k in keys(inst)]
    shifted = linear(None, hs)

    def at_average(attr: str, sparse: bool = False):
        coefs = [_per_unit(t, attr) for t in outcomes]
        keep = [i for i, c in enumerate(coefs) if c != 0] if sparse else range(len(coefs))
        return -linear([coefs[i] for i in keep], [ws[i] for i in keep])
    return {
        "imports_units": -shifted,
        "imports_value": -linear([t.unit_value * VOL / MONEY for t in outcomes], ws),
        "tariff_revenue": at_average("tariff_revenue"),
        "home_importer_rent": at_average("home_importer_rent"),
        "home_production_gain": shifted,
        "partner_export_margin": at_average("export_margin"),
        "partner_production_loss": shifted,
        "partner_plant_margin": linear([inst.makers[k].home_plant_margin * VOL / MONEY for k, _ in keys(inst)], hs),
        "partner_quota_rent": at_average("exporter_rent", sparse=True),
    }


def values(inst, amounts: dict, outcomes) -> dict:
    """The same terms in plain Python: the shift on s takes shift/imports of the option's value,
    duty, margin and rents with it (all of them where the option has no imports)."""
    by_segment: dict[str, list[float]] = {}
    for (_, s), x in amounts.items():
        by_segment.setdefault(s, []).append(x)
    shift = {s: sum(by_segment.get(s, ())) for s in inst.segments}

    def taken(attr: str) -> float:
        return sum(getattr(outcomes[s], attr) * (shift[s] / outcomes[s].imports if outcomes[s].imports > 0 else 1.0)
                   for s in inst.segments)
    moved = sum(shift.values())
    return {
        "imports_units": -moved,
        "imports_value": -sum(shift[s] * outcomes[s].unit_value for s in inst.segments),
        "tariff_revenue": -taken("tariff_revenue"),
        "home_importer_rent": -taken("home_importer_rent"),
        "home_production_gain": moved,
        "partner_export_margin": -taken("export_margin"),
        "partner_production_loss": moved,
        "partner_plant_margin": sum(x * inst.makers[k].home_plant_margin for (k, _), x in amounts.items()),
        "partner_quota_rent": -taken("exporter_rent"),
    }


def checks(inst, amounts: dict, outcomes) -> list:
    """spare_capacity per maker; shift_within_imports per segment, against the imports of the
    chosen option recomputed from the responses."""
    home = inst.parties["home"]
    by_maker: dict[str, list[float]] = {}
    by_segment: dict[str, list[float]] = {}
    for (k, s), x in amounts.items():
        by_maker.setdefault(k, []).append(x)
        by_segment.setdefault(s, []).append(x)
    out = [Check(f"spare_capacity[{k}]", f"spare capacity in {mk.label}'s {home} plants", "partner", "capacity",
                 sum(by_maker.get(k, ())), "<=", mk.spare_capacity, segments_unit(inst, mk.segments))
           for k, mk in inst.makers.items()]
    out += [Check(f"shift_within_imports[{s}]", f"production shifted in {seg.label} replaces existing imports",
                  "partner", "production", sum(by_segment.get(s, ())), "<=", outcomes[s].imports, seg.unit)
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
    name=NAME, deal_field="shift", section="production_shift", party="partner", kind="quantity", short="shift",
    keys=keys, unit=lambda inst, k: inst.segments[k[1]].unit, scale=lambda inst, k: VOL,
    label=lambda inst, k: f"{inst.makers[k[0]].label}: {inst.segments[k[1]].label} built in {inst.parties['home']}",
    upper=lambda inst, k: inst.makers[k[0]].spare_capacity, limited_by="the imports it replaces",
    limit_field=lambda k: f"makers.{k[0]}.spare_capacity",
    bridge_step="shift", bridge_label="production shifted to home plants",
    sections=(Section("makers", dict[str, MakerSpec], "Maker key -> a partner maker that can shift production.",
                      entry="maker", docs=(("makers", MakerSpec, 2),)),),
    deal_entry=DEAL_ENTRY, read=read, read_deal=read_deal,
    variables=(Variable("shift_by_option", lambda inst, table: list(table)),),
    rows=(("spare_capacity", spare_capacity_rows), ("shift_split", shift_split_rows),
          ("shift_within_imports", shift_within_imports_rows)),
    terms=terms, values=values, checks=checks, phrase=say,
    context=lambda inst, k: {"group": inst.makers[k[0]].label, "item": inst.segments[k[1]].label},
    key_names=("maker", "segment"),
)
