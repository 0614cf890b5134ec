"""docs/instance-format.md, written from the schema: `python -m model.data.format_doc > docs/instance-format.md`
(`make docs`). A test fails when the committed file differs from what this writes.

Every field's meaning, unit, allowed range and default come from its declaration in
`model.data.schema` (the core's sections and each lever family's, `model.data.families`);
accepted units from `model.data.units`; the metrics from `model.data.catalogue`; inheritance, CSV tables and uncertainty from the docstrings of
the modules that implement them; examples are excerpts of the shipped instances (so they
are real, and validated by the shipped-instance tests).
"""
from __future__ import annotations

import inspect
import sys
import typing
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from model.data import loader, tables, uncertainty
from model.data.catalogue import INDEXED_METRICS, METRICS, PAYOFF_METRICS
from model.data.families.base import families
from model.data.horizon import GrowthSpec, HorizonSpec, PathSpec, ScheduleSpec
from model.data.schema import (
    AllGoodsSpec,
    Distribution,
    Parties,
    Q,
    Range,
    RedLineSpec,
    SegmentSpec,
    SettingsSpec,
    SourceSpec,
    ThirdCountrySpec,
    ThirdSupplySpec,
    _members,
    _model_in,
    anchor,
    deal_spec,
    declared,
    extra_of,
    headings,
    instance_spec,
    range_of,
)
from model.data.units import ALIASES, BASE_UNIT, UNITS
from model.data.yaml_io import Located, read_yaml

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "instances"
DEFAULT = "smart_defaults.yaml"    # the richest example: six segments and every lever family

# How each dimension reads in the tables.
DIMENSION_WORDS = {
    "vehicles": "vehicles (a year)",
    "USD": "USD",
    "USD/vehicle": "USD/vehicle",
    "share": "share (`%` or `fraction`)",
    "elasticity": "`1` (a plain number)",
    "weight": "`1`",
    "jobs": "jobs",
    "jobs/vehicle": "jobs per vehicle (per the segments' unit)",
    "USD/job": "USD/job",
    "count:{unit}": "the good's `unit`",
    "USD/count:{unit}": "USD per the good's `unit`",
    "metric": "the metric's unit",
    "payoff weight": "USD per unit of the metric",
    "step": "the family's: a share for tariffs, the segments' unit, or USD",
    "field": "a unit of the uncertain field's dimension",
}


# -- pieces ---------------------------------------------------------------------------------
def type_words(annotation) -> str:
    """A field's type in words."""
    members = [m for m in _members(annotation) if m is not type(None)]
    if len(members) > 1:
        return " or ".join(type_words(m) for m in members)
    t = members[0]
    origin = typing.get_origin(t)
    if t is Q:
        return "number"
    if isinstance(t, type) and issubclass(t, BaseModel):
        heading = headings()[t]
        return f"mapping ([{heading}](#{anchor(heading)}))"
    if origin is Literal:
        words = typing.get_args(t)
        return f"`{words[0]}`" if len(words) == 1 else "one of " + ", ".join(f"`{a}`" for a in words)
    if origin is dict:
        key, value = typing.get_args(t)
        keys = "party" if typing.get_origin(key) is Literal else "name"
        return f"mapping: {keys} -> {type_words(value)}"
    if origin is list:
        return "list of numbers" if typing.get_args(t)[0] is Q else "list of names"
    if origin is typing.Annotated or t is bool or getattr(t, "__origin__", None) is bool:
        return "`true` or `false`"
    return {str: "text", int: "whole number", float: "number", bool: "`true` or `false`"}.get(t, str(t))


def range_words(rng: Range, dimension: str | None) -> str:
    """A range in words, shares as percentages."""
    if rng.low is None and rng.high is None:
        return "any"

    def shown(v: float) -> str:
        return f"{v * 100:g}%" if dimension == "share" else f"{v:g}"
    sides = []
    if rng.low is not None:
        sides.append(f"{'>' if rng.low_open else '>='} {shown(rng.low)}")
    if rng.high is not None:
        sides.append(f"{'<' if rng.high_open else '<='} {shown(rng.high)}")
    return " and ".join(sides)


def default_words(info) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        value = info.default_factory()
        if isinstance(value, BaseModel):
            return "its fields' defaults"
        return "none" if value in ({}, []) else f"`{value}`"
    if info.default is None:
        return "none"
    if isinstance(info.default, bool):
        return f"`{str(info.default).lower()}`"
    return f"`{info.default}`"


def field_table(model: type[BaseModel]) -> list[str]:
    """One row per field: meaning, type, unit, allowed values, default."""
    rows = ["| field | meaning | type | unit | allowed | default |", "|---|---|---|---|---|---|"]
    for name, info in model.model_fields.items():
        extra = extra_of(info)
        if "dimension" in extra:
            decl = declared(model, name)
            unit = DIMENSION_WORDS.get(decl.dimension, decl.dimension)
            allowed = range_words(decl.range, decl.dimension)
            if decl.unlimited:
                allowed += ", or `unlimited`"
            if decl.drawable:
                allowed += "; may be uncertain"
        else:
            unit = f"`{extra['unit']}`" if extra.get("unit") else ""
            rng = range_of(model, name)
            allowed = range_words(rng, None) if rng != Range() else ""
            if info.metadata and any(getattr(m, "pattern", None) for m in info.metadata):
                allowed = "letters, digits, `_`, `-`"
        meaning = (info.description or "").replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{name}` | {meaning} | {type_words(info.annotation)} | {unit} | {allowed} | "
                    f"{default_words(info)} |")
    return rows


def docstring(obj) -> str:
    """A class's docstring, each paragraph on one line."""
    return "\n\n".join(" ".join(block.split()) for block in inspect.cleandoc(obj.__doc__ or "").split("\n\n"))


def module_section(module, start: str, stop: str | None = None, drop: str = "") -> list[str]:
    """The part of a module's docstring from the paragraph starting with `start` (up to the
    one starting with `stop`), without the words `drop`, with indented blocks as YAML code."""
    text = (module.__doc__ or "").strip()
    text = text[text.index(start):]
    text = text[:text.index(stop)] if stop else text
    text = text[len(drop):] if drop and text.startswith(drop) else text
    out: list[str] = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        code = [i for i, line in enumerate(lines) if line.startswith("    ")]
        if code:
            head = " ".join(line.strip() for line in lines[:code[0]])
            if head:
                out += [head, ""]
            out += ["```yaml"] + [line[4:] for line in lines[code[0]:]] + ["```", ""]
        else:
            out += [" ".join(line.strip() for line in lines), ""]
    return out


# -- examples from the shipped instances --------------------------------------------------------
class Excerpts:
    """Lines of a shipped instance file, cut at its keys' line numbers."""

    def __init__(self, name: str):
        self.name = name
        self.path = INSTANCES / name
        self.lines = self.path.read_text(encoding="utf-8").splitlines()
        self.data = read_yaml(self.path)

    def _end(self, mapping: Located, key: str) -> int | None:
        """The last line (1-based) of `key`'s value in `mapping`: before the next key, or at
        the end of the enclosing block."""
        starts = sorted(line for line in mapping.lines.values() if line > mapping.lines[key])
        return (starts[0] - 1) if starts else None

    def section(self, key: str, entries: list[str] | int | None = None) -> str:
        """The YAML of top-level `key`, or of its first `entries` entries (or those named)."""
        start = self.data.lines[key]
        end = self._end(self.data, key) or len(self.lines)
        value = self.data[key]
        if entries is None or not isinstance(value, Located) or getattr(value, "line", start) == start:
            chosen = self.lines[start - 1:end]
        else:
            names = [k for k in value if k in entries] if isinstance(entries, list) else list(value)[:entries]
            names = names or list(value)[:1]
            chosen = [self.lines[start - 1]]
            for name in names:
                first = value.lines[name]
                last = self._end(value, name) or end
                chosen += self.lines[first - 1:min(last, end)]
        while chosen and (not chosen[-1].strip() or chosen[-1].lstrip().startswith("#")):
            chosen.pop()
        return "\n".join(chosen)

    def block(self, key: str, entries=None) -> list[str]:
        return [f"From `instances/{self.name}`:", "", "```yaml", self.section(key, entries), "```", ""]


# -- the document -------------------------------------------------------------------------------
# heading, model (or None; "deal": the deal's format), top-level key for the example, entries shown
# (their names, or how many), source file
DocSection = tuple[str, type[BaseModel] | str | None, str | None, list[str] | int | None, str | None]
Section = tuple[str, type[BaseModel] | None, str | None, list[str] | int | None, str | None]   # "deal" resolved
CORE_FIRST: list[DocSection] = [
    ("sources", SourceSpec, "sources", ["globaldata_2024", "a_segment_split"], DEFAULT),
    ("parties", Parties, "parties", None, DEFAULT),
    ("settings", SettingsSpec, "settings", None, DEFAULT),
    ("segments", SegmentSpec, "segments", ["compact"], DEFAULT),
]
CORE_LAST: list[DocSection] = [
    ("third_countries", ThirdCountrySpec, "third_countries", ["korea"], DEFAULT),
    ("third-country segments", ThirdSupplySpec, None, None, None),
    ("all_goods", AllGoodsSpec, None, None, None),
    ("jobs_per_unit", None, "jobs_per_unit", None, DEFAULT),
    ("red_lines", RedLineSpec, "red_lines", ["us_deficit_cap", "us_car_tariff_floor"], DEFAULT),
    ("payoffs", None, "payoffs", None, DEFAULT),
    ("no_deal and fixed_levers", "deal", "no_deal", None, DEFAULT),
    ("calibration", None, "calibration", None, DEFAULT),
    ("uncertainty", Distribution, "uncertainty", 2, DEFAULT),
    ("horizon", HorizonSpec, "horizon", None, "july_2025_over_time.yaml"),
    ("growth", GrowthSpec, None, None, None),
    ("schedules", ScheduleSpec, None, None, None),
    ("paths", PathSpec, "horizon", None, "staged_relief.yaml"),
]
SUBHEADINGS = ("flat tiers", "quotas", "third-country segments", "growth", "schedules", "paths")


def sections() -> list[Section]:
    """The document's sections: the core's, with each lever family's after the segments (a
    section's example from the default instance, where the family says which entries)."""
    out = list(CORE_FIRST)
    for f in families():
        for section in f.sections:
            for i, (heading, model, example) in enumerate(section.docs):
                key = section.key if i == 0 and example is not None else None
                entries = None if example == "all" else example
                out.append((heading, model, key, entries, DEFAULT if key else None))
    out += CORE_LAST
    return [(h, _section_model(m), k, e, src) for h, m, k, e, src in out]


def _section_model(model: type[BaseModel] | str | None) -> type[BaseModel] | None:
    """A section's model, "deal" standing for the deal's format (as the lever families have it)."""
    if model == "deal":
        return deal_spec()
    if isinstance(model, str):
        raise ValueError(f"a section's model is a pydantic model, None or 'deal', not {model!r}")
    return model


def units_section() -> list[str]:
    out = ["## units", "",
           "Each number's unit must belong to the field's dimension (the *unit* column of each table). "
           "It is converted to the base unit when the file is loaded; reports show it as written. "
           "Case does not matter, and annual flows may add `/year` (or `per year`, `/yr`, `a year`, "
           "`p.a.`): the model is annual.", "",
           "| dimension | base unit | units | other accepted spellings (examples) |", "|---|---|---|---|"]
    for dim, units in UNITS.items():
        spelled = ", ".join(f"`{a}`" for a in ALIASES.get(dim, []))
        out.append(f"| {DIMENSION_WORDS[dim]} | `{BASE_UNIT[dim]}` | {', '.join(f'`{u}`' for u in units)} | "
                   f"{spelled} |")
    out += ["", "Money is a currency word (`USD`, `US$`, `$`, `dollars`) with at most one scale word "
            "(`thousand`/`k`, `million`/`mn`/`m`, `billion`/`bn`) in either order; vehicles take the same "
            "scale words (`thousand vehicles`); prices are money `/` or `per` one vehicle. A good's "
            "quantities are in its own `unit` (singular or plural, optionally with a scale word: "
            "`tonne`, `thousand tonnes`), and its values in money per that unit (`USD/tonne`, "
            "`USD million/aircraft`).", "",
            "Allowed ranges in the tables below are in base units; shares are shown as percentages "
            "(a share of 1 is 100%).", ""]
    return out


def metrics_section() -> list[str]:
    out = ["## metrics", "",
           "Red lines (`metric`), payoffs, `calibration` and `settings.objective_weights` name these "
           "metrics. Values are per year, in base units.", "",
           "| metric | meaning | unit | in payoffs |", "|---|---|---|---|"]
    for name, info in METRICS.items():
        payoff = "no (it is a payoff)" if name in PAYOFF_METRICS else "yes"
        out.append(f"| `{name}` | {info.label.format(units='units')} | {info.unit} | {payoff} |")
    for name, (kind, label, unit, *_) in INDEXED_METRICS.items():
        unit = {"own": f"the {kind}'s own unit"}.get(unit, unit)
        index = kind.replace(" ", "_")
        out.append(f"| `{name}[{index}]` | {label.format(units='units')}, per {kind} | {unit} | no (red lines and calibration only) |")
    out.append("")
    return out


def render() -> str:
    default = Excerpts(DEFAULT)
    out = [
        "# Instance file format", "",
        "<!-- Generated from model/data/schema.py by `make docs` (python -m model.data.format_doc); "
        "do not edit by hand: edit the schema's field declarations and regenerate. -->", "",
        "An instance file describes one negotiation in YAML: the parties, the tariff options, the "
        "segments' calibration-year data, the partner's possible concessions, each side's red lines "
        "and payoffs, and the no-deal point. It is validated before any model is built "
        "(`solve.py validate FILE` checks it alone); every problem is reported at once, with the file, "
        "the field path, the line and a hint. `instances/smart_defaults.yaml` (the first calibration) is a "
        "complete, commented example that most shipped instances extend; `instances/toyota_2025.yaml`, the "
        "default, is the sourced calibration, with every figure's publication and year.", "",
        "Contents: " + ", ".join(f"[{h}](#{anchor(h)})" for h in
                                 ["numbers", "units", "top-level keys", "inheritance"]
                                 + [s[0] for s in sections()] + ["metrics", "csv tables"]), "",
        "## numbers", "",
        docstring(Q), "",
        "Every number in the file is written this way, and every `source` is a key of `sources:`.", "",
    ]
    out += field_table(Q) + [""]
    out += [f"From `instances/{DEFAULT}`:", "", "```yaml",
            default.lines[default.data["segments"]["suv"].lines["imports"] - 1].strip(),
            default.lines[default.data["segments"]["suv"].lines["pass_through"] - 1].strip(), "```", ""]
    out += units_section()
    out += ["## top-level keys", "", docstring(instance_spec()), ""] + field_table(instance_spec()) + [""]
    out += ["## inheritance", ""] + module_section(loader, "Inheritance:", drop="Inheritance: ")
    out += ["A file that changes `segments` inherits the parent's `calibration` figures, which describe the "
            "parent's segments: restate them under `calibration:` (or delete them with `calibration: null`) "
            "when the totals change.", ""]
    whole = Excerpts("high_elasticity.yaml")
    out += ["`instances/high_elasticity.yaml` in full:", "", "```yaml", "\n".join(whole.lines).rstrip(), "```", ""]
    deal = deal_spec()
    for heading, model, key, entries, source in sections():
        out += [f"## {heading}" if heading not in SUBHEADINGS else f"### {heading}", ""]
        if model is not None:
            out += [docstring(model), ""]
        # Sections without a model of their own, and the two that share one, say what they are.
        described_keys: list[str] = ["no_deal", "fixed_levers"] if model is deal else []
        if model is None:
            if key is None:
                raise ValueError(f"section {heading!r} has neither a model nor a top-level key to describe")
            described_keys = [key]
        for described in described_keys:
            out += [f"`{described}`: {instance_spec().model_fields[described].description}", ""]
        if key == "payoffs":
            decl = declared(instance_spec(), "payoffs")
            out += [f"Unit: {DIMENSION_WORDS[decl.dimension]}; allowed: {range_words(decl.range, None)}; "
                    "may be uncertain. Metrics that are payoffs themselves (`home_payoff`, `partner_payoff`) "
                    "cannot be weighted.", ""]
        if key == "jobs_per_unit":
            decl = declared(instance_spec(), "jobs_per_unit")
            out += [f"Unit: {DIMENSION_WORDS[decl.dimension]}; allowed: {range_words(decl.range, None)}; may be "
                    "uncertain.", ""]
        if key == "calibration":
            out += [f"Unit: {DIMENSION_WORDS['metric']}. The tolerance is {loader.CALIBRATION_TOLERANCE:.1%}.", ""]
        if model is not None:
            out += field_table(model) + [""]
        if key is not None and source is not None:
            out += Excerpts(source).block(key, entries)
        if key == "no_deal":
            out += Excerpts("july_2025_framework.yaml").block("fixed_levers")
        if key == "uncertainty":
            out += module_section(uncertainty, "Every distribution is bounded", stop="`with_values(")
            out += ["Fields that may be uncertain (also the fields `sweep --param` may change): "
                    + "; ".join(drawable_fields()) + ".", ""]
    out += metrics_section()
    out += ["## csv tables", ""] + module_section(tables, "An instance file may list CSV tables")
    return "\n".join(out).rstrip() + "\n"


ENTRY_WORDS = {"ntb_measures": "measure", "third_countries": "country", "segments": "segment", "maker_caps": "program"}


def drawable_fields() -> list[str]:
    """Field paths, with placeholders, that draws may change (from the schema's `drawable`)."""
    out = []
    root = instance_spec()

    def visit(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            extra = extra_of(info)
            annotation = info.annotation
            inner = _model_in(annotation)
            if extra.get("drawable"):
                suffix = ".<segment>" if typing.get_origin(annotation) is dict else ""
                if model is root and name in ("payoffs", "jobs_per_unit"):
                    suffix = ".<party>.<metric>" if name == "payoffs" else ".<party>"
                out.append(f"`{prefix}{name}{suffix}`")
            elif inner is not None and inner is not Q and model is not root:
                visit(inner, f"{prefix}{name}.")
            elif typing.get_origin(annotation) is dict:
                value = typing.get_args(annotation)[1]
                entry_model = _model_in(value)
                if entry_model is not None and entry_model not in (Q, Distribution):
                    entry = ENTRY_WORDS.get(name, name.rstrip("s"))
                    visit(entry_model, f"{prefix}{name}.<{entry}>.")
    visit(root, "")
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(render(), encoding="utf-8")
    else:
        sys.stdout.write(render())

