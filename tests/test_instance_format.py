"""The schema documents itself: every field declares its meaning (and every number its unit
and range) once; the loader and the uncertainty checks read those declarations; the
committed docs/instance-format.md is what the schema generates."""
from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import Path

import pytest
from pydantic import BaseModel
from tiny import q, tiny

from model.data import format_doc, schema
from model.data.loader import Builder, resolve
from model.data.schema import HEADINGS, InstanceSpec, Q, _model_in, declaration_at, doc_link
from model.data.uncertainty import UnknownField, allowed, with_values
from model.data.units import UNITS, to_base
from model.economics.loading import load
from model.errors import InstanceErrors

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "instance-format.md"
DIMENSIONS = set(UNITS) | {"count:{unit}", "USD/count:{unit}", "metric", "payoff weight", "step", "field"}


def models() -> list[type[BaseModel]]:
    """Every model of the format: the core's and each lever family's (each with its heading)."""
    return schema.spec_models()


@pytest.mark.slow
def test_committed_format_doc_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == format_doc.render(), \
        "docs/instance-format.md is out of date: run `make docs` and commit it"


@pytest.mark.parametrize("model", models(), ids=lambda m: m.__name__)
def test_every_field_says_what_it_is_and_every_number_its_unit_and_range(model):
    assert model.__doc__ and model in HEADINGS, f"{model.__name__}: a docstring and a heading in the doc"
    for name, info in model.model_fields.items():
        assert info.description, f"{model.__name__}.{name} has no description"
        holds_number = _holds_q(info.annotation)
        extra = info.json_schema_extra or {}
        if holds_number:
            assert extra.get("dimension") in DIMENSIONS, f"{model.__name__}.{name}: declare its dimension"
            assert "range" in extra, f"{model.__name__}.{name}: declare its range (empty for any)"
        assert f"| `{name}` |" in DOC.read_text(encoding="utf-8")


def _holds_q(annotation) -> bool:
    import typing
    if _model_in(annotation) is Q:
        return True
    return any(_holds_q(a) for a in typing.get_args(annotation))


def test_every_hint_link_points_to_a_heading_of_the_doc():
    anchors = {schema.anchor(h) for h in re.findall(r"^#+ (.+)$", DOC.read_text(encoding="utf-8"), re.M)}
    data, _ = resolve(ROOT / "instances" / "toyota_2025.yaml")
    paths = []

    def visit(x, prefix):
        paths.append(prefix)
        if isinstance(x, dict):
            for k, v in x.items():
                visit(v, f"{prefix}.{k}" if prefix else k)
    visit(data, "")
    for path in paths + ["fixed_levers.tariff.cars", "bogus"]:
        link = doc_link(path)
        assert link.split("#")[1] in anchors, (path, link)


def test_loader_and_uncertainty_apply_the_ranges_the_schema_declares():
    """Every drawable number of the default instance: the range the loader applied is the
    schema's (red lines relative to a reference are the one stated exception), and the
    uncertainty checks use the same one."""
    data, origins = resolve(ROOT / "instances" / "toyota_2025.yaml")
    builder = Builder(InstanceSpec.model_validate(data), origins, "toyota_2025.yaml")
    inst = builder.build()
    assert not builder.errors
    checked = 0
    for i in inst.inputs:
        decl = declaration_at(i.path)
        if decl is None or not decl.drawable:
            continue
        checked += 1
        if i.path.startswith("red_lines.") and any(r.relative_to for r in inst.red_lines
                                                   if r.name.split(".")[0] == i.path.split(".")[1]):
            assert builder.ranges[i.path] == schema.Range(low=0)
        else:
            assert builder.ranges[i.path] == decl.range == allowed(i.path), i.path
    assert checked > 100


def _written(spec, parts: list[str]):
    """The quantity {value, unit, source} at a field path of a validated spec (in place)."""
    node = spec
    for part in parts:
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def _without_provenance(inst):
    return replace(inst, inputs=(), uncertainty=(), content_hash="")


def _differences(a, b) -> list[str]:
    return [f.name for f in fields(a) if getattr(a, f.name) != getattr(b, f.name)] + \
        [f"sections.{k}" for k in set(a.sections) | set(b.sections) if a.sections.get(k) != b.sections.get(k)]


@pytest.mark.slow      # every shipped instance
@pytest.mark.parametrize("path", sorted((ROOT / "instances").glob("*.yaml")), ids=lambda p: p.stem)
def test_with_values_sets_exactly_the_field_its_path_names(path):
    """Every number draws and `sweep --param` may change, in every shipped instance: setting
    it through `with_values` gives the instance the loader reads from the file with that one
    number changed (the independent reading), and differs from the original. This is what
    caught `makers.<maker>.home_plant_margin` capping the maker's production shift."""
    data, origins = resolve(path)
    spec = schema.instance_spec().model_validate(data)
    builder = Builder(spec, origins, str(path))
    inst = builder.build()
    checked = 0
    for i in inst.inputs:
        decl = declaration_at(i.path)
        if decl is None or not decl.drawable:
            continue
        q = _written(spec, i.path.split("."))
        dimension, rng = builder.dimensions[i.path], builder.ranges[i.path]
        old = q.value
        new = next(v for v in (old * 1.25, old * 0.8, old + 1, old - 1, 0.5)
                   if rng.contains(to_base(v, q.unit, dimension)) and v != old)
        q.value = new
        try:
            again = Builder(spec, origins, str(path))
            expected = again.build()
        finally:
            q.value = old
        assert not again.errors, (i.path, again.errors)
        got = _without_provenance(with_values(inst, {i.path: to_base(new, q.unit, dimension)}))
        assert got == _without_provenance(expected), (i.path, _differences(got, _without_provenance(expected)))
        assert got != _without_provenance(inst), i.path
        checked += 1
    # Every instance extending smart_defaults has over 150, the one-segment toyota_2025 104;
    # the standalone korus_2018_caps has 34, and the hand-sized three-year example staged_relief 18.
    assert checked > {"staged_relief": 15}.get(path.stem, 100 if inst.third_countries else 30)


@pytest.mark.parametrize("path, why", [
    ("segments.suv.label", "not a number draws and sweeps may change"),
    ("tariff_menus.cars.flat.floor", "not a number draws and sweeps may change"),
    ("segments.no_such_segment.imports", "not a number of this instance"),
    ("makers.no_such_maker.home_plant_margin", "not a number of this instance"),
    ("third_countries.atlantis.tariff", "has no 'atlantis' under third_countries"),
    ("red_lines.no_such_line.bound", "not a number of this instance"),
    ("bogus.path", "not a number draws and sweeps may change"),
])
def test_with_values_refuses_a_path_it_does_not_know(path, why):
    inst = load(ROOT / "instances" / "toyota_2025.yaml")
    with pytest.raises(UnknownField, match=why):
        with_values(inst, {path: 1.0})


def test_schema_ranges_bound_draws_with_open_and_closed_ends(tmp_path):
    """pass_through is declared 0 < p <= 1: a draw may reach 1 but not 0 (the old restated
    table made both ends strict)."""
    unc = {"uncertainty": {"segments.car.pass_through": {"distribution": "uniform", "low": q(0.5, "fraction"),
                                                          "high": q(1, "fraction")}}}
    assert tiny(tmp_path, unc).uncertainty[0].high == 1
    unc["uncertainty"]["segments.car.pass_through"]["low"] = q(0, "fraction")
    with pytest.raises(InstanceErrors, match="draws must stay above 0"):
        tiny(tmp_path, unc)
    assert allowed("segments.car.label") is None and allowed("tariff_menus.cars.flat.floor") is None


def test_documented_examples_are_valid_yaml_of_the_documented_section():
    import yaml
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert len(blocks) > 10
    for block in blocks:
        assert isinstance(yaml.safe_load(block), dict)


def test_the_largest_number_is_stated_where_numbers_are_documented():
    import math
    assert f"10^{round(math.log10(schema.MAGNITUDE))} in base units" in " ".join(schema.Q.__doc__.split())
