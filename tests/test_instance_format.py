"""The schema documents itself: every field declares its meaning (and every number its unit
and range) once; the loader and the uncertainty checks read those declarations; the
committed docs/instance-format.md is what the schema generates."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel
from tiny import q, tiny

from model.data import format_doc, schema
from model.data.loader import Builder, load, resolve
from model.data.schema import HEADINGS, InstanceSpec, Q, _model_in, declaration_at, doc_link
from model.data.uncertainty import allowed, with_values
from model.data.units import UNITS
from model.errors import InstanceErrors

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "instance-format.md"
DIMENSIONS = set(UNITS) | {"count:{unit}", "USD/count:{unit}", "metric", "payoff weight", "field"}


def models() -> list[type[BaseModel]]:
    return [m for m in vars(schema).values() if isinstance(m, type) and issubclass(m, schema.Strict)
            and m is not schema.Strict]


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


def test_with_values_changes_every_field_the_schema_lets_draws_change():
    inst = load(ROOT / "instances" / "toyota_2025.yaml")
    for i in inst.inputs:
        decl = declaration_at(i.path)
        if decl is not None and decl.drawable:
            with_values(inst, {i.path: 1.0})          # raises for a path it cannot set


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
