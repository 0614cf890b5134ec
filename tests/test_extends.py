"""Instance inheritance: `extends` chains, key-by-key overrides, null deletes, clear errors."""
import pytest
import yaml
from tiny import q, write

from model.data.loader import resolve
from model.economics.loading import load
from model.errors import InstanceError


def child(tmp_path, name, parent, body: dict):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"extends": parent, **body}, sort_keys=False))
    return path


def test_override_by_key_and_chain(tmp_path):
    write(tmp_path, {}, "base.yaml")
    child(tmp_path, "mid.yaml", "base.yaml", {"name": "mid", "segments": {"car": {"imports": q(2000, "vehicles")}}})
    leaf = child(tmp_path, "leaf.yaml", "mid.yaml", {"name": "leaf", "segments": {"truck": {"label": "lorries"}}})
    inst = load(leaf)
    assert inst.name == "leaf"
    assert inst.segments["car"].imports == 2000        # from mid
    assert inst.segments["truck"].label == "lorries"   # from leaf
    assert inst.segments["truck"].imports == 100       # from base


def test_null_deletes_an_inherited_key(tmp_path):
    write(tmp_path, {"channels": {"second": {"label": "x", "capacity": q(1, "vehicles"),
                                             "unit_value": {"car": q(1, "USD/vehicle")},
                                             "dealer_margin": q(0, "USD/vehicle")}}}, "base.yaml")
    leaf = child(tmp_path, "leaf.yaml", "base.yaml", {"channels": {"second": None}})
    assert set(load(leaf).channels) == {"dealers"}


def test_cycle_is_an_error(tmp_path):
    child(tmp_path, "a.yaml", "b.yaml", {})
    child(tmp_path, "b.yaml", "a.yaml", {})
    with pytest.raises(InstanceError, match="inheritance cycle: a.yaml -> b.yaml -> a.yaml"):
        resolve(tmp_path / "a.yaml")


def test_missing_parent_is_an_error_with_a_suggestion(tmp_path):
    write(tmp_path, {}, "base.yaml")
    leaf = child(tmp_path, "leaf.yaml", "bsae.yaml", {})
    with pytest.raises(InstanceError) as exc:
        load(leaf)
    assert exc.value.field == "extends" and exc.value.line == 1 and "did you mean 'base.yaml'" in str(exc.value)


def test_parent_outside_the_instances_tree_is_an_error(tmp_path):
    inner = tmp_path / "instances"
    inner.mkdir()
    write(tmp_path, {}, "outside.yaml")
    leaf = child(inner, "leaf.yaml", "../outside.yaml", {})
    with pytest.raises(InstanceError, match="outside the instances tree"):
        load(leaf)


def test_error_in_an_inherited_field_names_the_file_it_came_from(tmp_path):
    write(tmp_path, {"segments": {"car": {"elasticity": q(2, "1")}}}, "base.yaml")
    leaf = child(tmp_path, "leaf.yaml", "base.yaml", {"name": "leaf"})
    with pytest.raises(Exception) as exc:
        load(leaf)
    assert "base.yaml" in str(exc.value) and "segments.car.elasticity" in str(exc.value)


def test_validate_resolved_prints_the_merged_instance(tmp_path, capsys):
    from model.cli import main
    write(tmp_path, {}, "base.yaml")
    leaf = child(tmp_path, "leaf.yaml", "base.yaml", {"name": "leaf"})
    assert main(["validate", str(leaf), "--resolved"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["name"] == "leaf" and "extends" not in printed and "car" in printed["segments"]
