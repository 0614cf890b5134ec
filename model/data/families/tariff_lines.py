"""Tariff menus and lines, shared by the two tariff families (the home tariff and the partner's).

A menu is one legislated tariff line: a list of options (flat tiers, tariff-rate quotas,
export restraints); one option is chosen per line and applies to every segment on it,
unless the menu is `split` (one line per segment). Here: the menus' file format pieces,
reading a menu into `TariffOption`s, laying segments out on lines, and reading a deal's
choice of options (per line, per menu or per segment).
"""
from __future__ import annotations

from typing import Literal

from model.data.fields import TARIFF, Q, Strict, declared, own_unit, quantity, text
from model.data.instance import TariffLine, TariffLines, TariffOption
from model.errors import did_you_mean


class FlatTiers(Strict):
    """Flat tariffs from `floor` to `ceiling` every `step` (at most 1001 tiers); each tier
    is an option named `flat_<percent>`, e.g. `flat_15` for 15%."""

    floor: Q = quantity("The lowest flat tariff offered.", TARIFF, ge=0, le=10)
    ceiling: Q = quantity("The highest flat tariff offered; at least `floor`, and `floor` plus whole steps "
                          "must reach it.", TARIFF, ge=0, le=10)
    step: Q = quantity("The distance between tiers.", TARIFF, gt=0, le=10)


class QuotaSpec(Strict):
    """A tariff-rate quota: `in_quota` rate up to `quota` units a year, `out_of_quota` above,
    pooled over every segment on the tariff line (one quantity for all of them). If buyers
    take at least the quota at the out-of-quota rate, the marginal unit pays that rate; if
    they take at most the quota at the in-quota rate, that rate applies; otherwise the quota
    binds, with one tariff equivalent for the whole line, and imports equal the quota."""

    label: str | None = text("How reports name the option (default: 'quota N at x%, y% above').", default=None)
    quota: Q = quantity("Units a year, over every segment on the line, that enter at the in-quota rate.",
                        "vehicles", ge=0)
    in_quota: Q = quantity("The tariff on units within the quota; not above `out_of_quota`.", TARIFF, ge=0, le=10)
    out_of_quota: Q = quantity("The tariff on units above the quota.", TARIFF, ge=0, le=10)
    rent_holder: Literal["government", "home_importers", "exporters"] = text(
        "Who holds the quota rent: the home `government` (auctioned licences: counts as tariff revenue), "
        "`home_importers`, or the `exporters` (who charge it: the customs value of in-quota units rises by "
        "the rent).", default="exporters")


class RestraintSpec(Strict):
    """An export restraint (a voluntary export restraint, like Japan's 1981 limit on cars to the
    US): at most `quota` units a year over the tariff line, none above; imports pay their
    calibration tariff and the exporters hold the rent."""

    label: str | None = text("How reports name the option (default: 'export restraint: at most N a year').",
                             default=None)
    quota: Q = quantity("Units a year, over every segment on the line, the exporters may ship.", "vehicles", gt=0)


def rate_entry(description: str):
    """A deal entry choosing an option per line: a flat rate (a quantity) or an option's name."""
    return quantity(description, TARIFF, ge=0, le=10, default_factory=dict)


def flat_name(rate: float) -> str:
    """The option name of a flat tier: 'flat_27.5' for 27.5%."""
    return f"flat_{rate * 100:g}"


def read_menu(reader, key: str, spec, root: str, unit: str = "vehicles") -> tuple[TariffOption, ...]:
    """A menu's options: its flat tiers, then its quotas and export restraints."""
    path = f"{root}.{key}"
    options: list[TariffOption] = []
    if spec.flat is not None:
        fp = f"{path}.flat"
        lo, hi, step = (reader.field(spec.flat, name, fp) for name in ("floor", "ceiling", "step"))
        if hi < lo:
            reader.error(fp, f"ceiling ({hi:.2%}) is below floor ({lo:.2%})", hint="tiers run from floor up to ceiling")
        elif step > 0:
            n = round((hi - lo) / step)
            if abs(lo + n * step - hi) > 1e-9:
                reader.error(f"{fp}.step", f"steps of {step:.2%} from {lo:.2%} do not reach {hi:.2%}")
            elif n > 1000:
                reader.error(f"{fp}.step", f"{n + 1} tiers is too many (at most 1001)")
            else:
                for i in range(n + 1):
                    rate = round(lo + i * step, 12)
                    options.append(TariffOption(name=flat_name(rate), label=f"flat {rate:.1%}", rate=rate))
    for qk, qs in getattr(spec, "quotas", {}).items():
        qp = f"{path}.quotas.{qk}"
        quota = reader.field(qs, "quota", qp, dimension=own_unit(declared(QuotaSpec, "quota").dimension, unit))
        ti, to = (reader.field(qs, name, qp) for name in ("in_quota", "out_of_quota"))
        if ti > to:
            reader.error(qp, f"in-quota rate {ti:.2%} is above the out-of-quota rate {to:.2%}",
                         hint="a tariff-rate quota charges less inside the quota")
        label = qs.label or f"quota {quota:,.0f} at {ti:.1%}, {to:.1%} above"
        options.append(TariffOption(name=qk, label=label, rate=to, quota=quota, in_quota_rate=ti,
                                    rent_holder=qs.rent_holder))
    for rk, rs in getattr(spec, "export_restraints", {}).items():
        rp = f"{path}.export_restraints.{rk}"
        if rk in spec.quotas:
            reader.error(rp, f"'{rk}' is also a quota on this menu", hint="give each option its own name")
            continue
        quota = reader.field(rs, "quota", rp, dimension=own_unit(declared(RestraintSpec, "quota").dimension, unit))
        label = rs.label or f"export restraint: at most {quota:,.0f} a year"
        options.append(TariffOption(name=rk, label=label, rate=float("inf"), quota=quota,
                                    in_quota_rate=None, rent_holder="exporters"))
    if not options:
        reader.error(path, "the menu has no options", hint="give 'flat:' tiers, 'quotas:' or 'export_restraints:'")
    return tuple(options)


def read_lines(reader, menus: dict, segments: dict, attribute: str, root: str) -> TariffLines:
    """One line per menu (every segment on it, in segment order), or one per segment of a
    `split` menu. `attribute`: the segment field naming its menu."""
    out: dict[str, TariffLine] = {}
    for key, spec in menus.items():
        members = tuple(s for s, g in segments.items() if getattr(g, attribute) == key)
        if spec.split:
            for s in members:
                if s in menus and s != key:
                    reader.error(f"{root}.{key}.split", f"segment '{s}' would get a tariff line of its own, "
                                 f"but a menu is also called '{s}'", hint="rename the segment or the menu")
                out[s] = TariffLine(s, f"{spec.label or key}: {segments[s].label}", key, (s,))
        elif members:
            out[key] = TariffLine(key, spec.label or " and ".join(segments[s].label for s in members), key, members)
    return TariffLines(out)


def line_choices(reader, given: dict, path: str, lines: TariffLines, menus: dict, root: str, complete: bool,
                 decl) -> dict[str, str]:
    """Tariff line -> option, from a map keyed by line, menu or segment: a menu sets each
    of its lines; a segment its line, which must then agree with the line's other segments.
    `complete`: every line must get one (no_deal)."""
    segment_line = lines.segment_line
    out: dict[str, str] = {}
    for key, value in given.items():
        kp = f"{path}.{key}"
        if key in lines:
            targets = [key]
        elif key in segment_line:
            targets = [segment_line[key]]
        elif key in menus:
            targets = [name for name, line in lines.items() if line.menu == key]
        else:
            if not (reader.set_aside("segments", key) or reader.set_aside(root, key)):
                reader.error(kp, f"unknown tariff line, menu or segment '{key}'",
                             hint=did_you_mean(key, list(lines) + list(segment_line) + list(menus)))
            continue
        for line in targets:
            name = option_name(reader, value, line, kp, menus[lines[line].menu], decl)
            if name and line in out and out[line] != name:
                members = ", ".join(lines[line].segments)
                reader.error(kp, f"segment '{key}' is on tariff line '{line}' ({members}), whose other segments "
                             f"get '{out[line]}': one option applies to the whole line",
                             hint=f"give the tariff per line ('{line}'), or set {root}."
                                  f"{lines[line].menu}.split: true to choose it per segment")
            elif name:
                out[line] = name
    section = path.rsplit(".", 1)
    if complete and not reader.set_aside(*section):
        for line in lines:
            if line not in out and not any(e.field.startswith(path) for e in reader.errors):
                reader.error(path, f"no tariff given for tariff line '{line}'",
                             hint="give one per tariff line (a menu, or a segment of a split menu)")
    return out


def option_name(reader, value, line: str, path: str, options, decl) -> str | None:
    """The option a deal names on a line: by its name, or a flat rate that is one of its tiers."""
    if isinstance(value, str):
        if any(o.name == value for o in options):
            return value
        reader.error(path, f"'{value}' is not an option on tariff line '{line}'",
                     hint=did_you_mean(value, [o.name for o in options]))
        return None
    rate = reader.q(value, path, decl)
    for o in options:
        if not o.is_quota and abs(o.rate - rate) < 1e-9:
            return o.name
    flats = [o.rate for o in options if not o.is_quota]
    near = min(flats, key=lambda r: abs(r - rate)) if flats else None
    reader.error(path, f"{rate:.2%} is not a flat tier on tariff line '{line}'",
                 hint=f"nearest tier: {near:.2%}" if near is not None else "its menu has no flat tiers")
    return None


def duty_rate(outcomes) -> float:
    """Duty over customs value across outcomes (duck-typed: economics.responses.OptionOutcome)."""
    value = sum(o.imports_value for o in outcomes)
    return sum(o.duty for o in outcomes) / value if value > 0 else outcomes[0].effective_tariff


def option_of(options, name: str) -> TariffOption:
    return next(o for o in options if o.name == name)



SAME = 5e-5                  # rates closer than this are the same setting (0.005 percentage points)


def say_rates(rows, ctx: dict, name: str, words) -> list[str]:
    """The first screen's clauses for tariff lines: 'sets the tariff on passenger cars at 15.0%
    (27.5% with no deal, 2.5% in 2024)'; many lines kept as with no deal make one clause."""
    out, kept = [], []
    for lv in rows:
        c = ctx.get((lv.name, lv.index), {})
        group = c.get("group") or lv.label
        what = f"its tariff on {words.home}-made {group}" if lv.party == "partner" else f"the tariff on {group}"
        now = words.rate_setting(lv.value, lv.choice)
        nd, nd_choice, base = c.get("no_deal"), c.get("no_deal_choice"), c.get("baseline")
        if nd is not None and abs(nd - lv.value) < SAME and nd_choice == lv.choice:
            kept.append((f"keeps {what} at {now}, as with no deal{words.fixed(lv)}", now))
            continue
        refs = ["fixed by the instance"] if lv.fixed else []
        if nd is not None:
            refs.append(f"{words.rate_setting(nd, nd_choice)} with no deal")
        if base is not None:
            refs.append(f"{words.share(base)} in {words.year}")
        how = f"as a {now}" if lv.choice and not lv.choice.startswith("flat ") else f"at {now}"
        out.append(f"sets {what} {how}" + (f" ({'; '.join(refs)})" if refs else ""))
    if len(kept) > 2:            # many lines left as with no deal: one clause
        rates = sorted({now for _, now in kept})
        n = words.max_items
        return out + [f"keeps the tariff on {len(kept):,} {'other ' if out else ''}lines as with no deal "
                      f"({', '.join(rates[:n])}{', ...' if len(rates) > n else ''})"]
    return out + [text for text, _ in kept]
