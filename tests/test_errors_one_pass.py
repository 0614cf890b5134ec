"""A bad instance is fixed in one pass: every problem reported at once, did-you-mean for
misspelt fields, the ways people write units accepted, units converted across `extends`,
hints that point to docs/instance-format.md and, when segments change, to `calibration`."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tiny import q, spec, tiny, write

from model.cli import main
from model.data.units import factor
from model.economics.loading import load
from model.errors import InstanceErrors

ROOT = Path(__file__).resolve().parent.parent


def problems(tmp_path, overrides) -> list:
    with pytest.raises(InstanceErrors) as exc:
        tiny(tmp_path, overrides)
    return exc.value.errors


def test_every_problem_of_a_file_is_reported_at_once(tmp_path, capsys):
    """A misspelt field (a structural error) no longer hides the unit, range, source and
    reference errors elsewhere in the file."""
    bad = {
        "segments": {"car": {"elasticty": q(-1, "1"), "elasticity": None},            # typo
                     "truck": {"imports": q(100, "lorries"),                            # unit
                               "pass_through": q(150, "%"),                             # range
                               "import_price": q(20000, "USD/vehicle", source="nowhere"),  # source
                               "tariff_menu": "carz"}},                                 # reference
        "settings": {"objective": "min_deficitt"},                                      # choice
        "channels": {"dealers": {"capacity": 50}},                                      # bare number
    }
    code = main(["validate", str(write(tmp_path, bad))])
    text = capsys.readouterr().err
    assert code == 2
    assert "error: 7 problems in the instance" in text, text
    for field, words in [("segments.car.elasticty", "did you mean 'elasticity'"),
                         ("segments.truck.imports.unit", "unit 'lorries' is not accepted"),
                         ("segments.truck.pass_through.value", "must be <= 100%"),
                         ("segments.truck.import_price.source", "unknown source 'nowhere'"),
                         ("segments.truck.tariff_menu", "did you mean 'cars'"),
                         ("settings.objective", "did you mean 'min_deficit'"),
                         ("channels.dealers.capacity", "{value: 50, unit: vehicles, source: test}")]:
        assert field in text and words in text, (field, words, text)


def test_a_misspelt_field_is_one_error_with_a_did_you_mean(tmp_path):
    errors = problems(tmp_path, {"segments": {"car": {"elasticty": q(-1, "1"), "elasticity": None}}})
    assert len(errors) == 1, errors
    e = errors[0]
    assert e.field == "segments.car.elasticty" and "unknown field 'elasticty'" in e.message
    assert "did you mean 'elasticity'" in e.hint and "docs/instance-format.md#segments" in e.hint


def test_an_entry_with_a_structural_error_is_not_reported_again_where_it_is_used(tmp_path):
    """The segment 'car' is set aside (its menu name is a number); the channel that sells
    it and the red line on it do not add 'unknown segment' errors."""
    errors = problems(tmp_path, {
        "segments": {"car": {"label": {"nested": 1}}},
        "red_lines": {"floor": {"party": "home", "label": "l", "reason": "r", "metric": "tariff_rate",
                                "segments": ["car"], "sense": ">=", "bound": q(5, "%")}}})
    assert [e.field for e in errors] == ["segments.car.label"], errors


def test_missing_field_hint_says_what_the_field_is_and_where_the_format_is(tmp_path):
    errors = problems(tmp_path, {"segments": {"car": {"displacement": None}}})
    assert errors[0].message == "this field is required but missing"
    assert "Partner-built domestic sales displaced" in errors[0].hint
    assert "docs/instance-format.md#segments" in errors[0].hint


def test_unlimited_misspelt_gets_a_did_you_mean(tmp_path):
    errors = problems(tmp_path, {"channels": {"dealers": {"capacity": "unlimted"}}})
    assert len(errors) == 1 and "or 'unlimited'" in errors[0].message and "did you mean 'unlimited'" in errors[0].hint


@pytest.mark.parametrize("unit, dimension, base", [
    ("percent", "share", 0.01), ("pct", "share", 0.01), ("per cent", "share", 0.01), ("%", "share", 0.01),
    ("USD bn", "USD", 1e9), ("USD billion", "USD", 1e9), ("bn USD", "USD", 1e9), ("US$ billion", "USD", 1e9),
    ("$bn", "USD", 1e9), ("USD mn", "USD", 1e6), ("million USD", "USD", 1e6),
    ("thousand vehicles", "vehicles", 1e3), ("k vehicles/year", "vehicles", 1e3), ("Vehicles per year", "vehicles", 1),
    ("USD per vehicle", "USD/vehicle", 1), ("USD thousand/vehicle", "USD/vehicle", 1e3),
    ("thousand tonnes", "count:tonne", 1e3), ("tonnes/year", "count:tonne", 1), ("USD million/aircraft",
                                                                                   "USD/count:aircraft", 1e6),
])
def test_unit_aliases_convert_to_base_units(unit, dimension, base):
    assert factor(unit, dimension) == base


@pytest.mark.parametrize("unit, dimension", [("cars", "vehicles"), ("EUR", "USD"), ("USD bn million", "USD"),
                                             ("1", "share"), ("USD/car", "USD/vehicle"), ("tonne", "count:aircraft")])
def test_units_of_another_dimension_are_still_refused(unit, dimension):
    with pytest.raises(KeyError):
        factor(unit, dimension)


def test_an_instance_written_with_aliases_equals_the_canonical_one(tmp_path):
    canonical = tiny(tmp_path)
    aliased = tiny(tmp_path, {
        "segments": {"car": {"imports": q(1, "thousand vehicles"), "pass_through": q(100, "percent"),
                             "import_price": q(10, "USD k/vehicle")},
                     "truck": {"base_tariff": q(0, "pct")}},
        "tariff_menus": {"cars": {"flat": {"step": q(10, "per cent")}}},
        "calibration": {"imports_value": q(0.012, "USD bn", source="test")}})
    assert aliased.segments == canonical.segments and aliased.menus == canonical.menus
    assert aliased.calibration == {"imports_value": pytest.approx(12e6)}


def test_a_child_in_percent_against_a_parent_in_fraction_is_converted(tmp_path):
    """The parent declares the uncertainty of pass_through in fractions; the child restates
    the field in %. The draws' bounds are converted, and the sweep's numbers agree."""
    parent = spec({"uncertainty": {"segments.car.pass_through": {
        "distribution": "uniform", "low": q(0.25, "fraction"), "high": q(0.75, "fraction")}}})
    (tmp_path / "parent.yaml").write_text(yaml.safe_dump(parent, sort_keys=False))
    (tmp_path / "child.yaml").write_text(yaml.safe_dump({
        "extends": "parent.yaml", "name": "child",
        "segments": {"car": {"pass_through": q(100, "%")}}}, sort_keys=False))
    child, base = load(tmp_path / "child.yaml"), load(tmp_path / "parent.yaml")
    (u,) = child.uncertainty
    (b,) = base.uncertainty
    assert (u.low, u.high) == (b.low, b.high) == (0.25, 0.75)
    assert u.unit == "%" and u.draw(0.5) / u.factor == pytest.approx(50.0)


def test_a_distribution_in_another_dimension_is_still_an_error(tmp_path):
    errors = problems(tmp_path, {"uncertainty": {"segments.car.imports": {
        "distribution": "uniform", "low": q(1, "vehicles"), "high": q(2, "USD")}}})
    assert errors[0].field == "uncertainty.segments.car.imports.high.unit"
    assert "cannot be converted" in errors[0].message


def test_a_child_that_changes_segments_is_told_to_restate_calibration(tmp_path):
    parent = spec({"calibration": {"imports_units": q(1100, "vehicles")}})
    (tmp_path / "parent.yaml").write_text(yaml.safe_dump(parent, sort_keys=False))
    van = dict(parent["segments"]["truck"], label="vans")
    (tmp_path / "child.yaml").write_text(yaml.safe_dump({
        "extends": "parent.yaml", "name": "child", "segments": {"van": van}}, sort_keys=False))
    with pytest.raises(InstanceErrors) as exc:
        load(tmp_path / "child.yaml")
    (e,) = exc.value.errors
    assert e.field == "calibration.imports_units" and e.file.endswith("parent.yaml")
    assert "segments were changed in child.yaml" in e.hint and "calibration: null" in e.hint
    assert "docs/instance-format.md#calibration" in e.hint
    # Restating it in the child is the fix.
    (tmp_path / "child.yaml").write_text(yaml.safe_dump({
        "extends": "parent.yaml", "name": "child", "segments": {"van": van},
        "calibration": {"imports_units": q(1200, "vehicles")}}, sort_keys=False))
    assert load(tmp_path / "child.yaml").calibration == {"imports_units": 1200}


def test_errors_come_in_file_order_the_given_file_first(tmp_path):
    parent = spec({"segments": {"truck": {"elasticity": q(2, "1")}}})
    (tmp_path / "parent.yaml").write_text(yaml.safe_dump(parent, sort_keys=False))
    (tmp_path / "child.yaml").write_text(yaml.safe_dump({
        "extends": "parent.yaml", "name": "child",
        "segments": {"car": {"pass_through": q(2, "fraction"), "imports": q(-1, "vehicles")}}}, sort_keys=False))
    with pytest.raises(InstanceErrors) as exc:
        load(tmp_path / "child.yaml")
    files = [Path(e.file).name for e in exc.value.errors]
    lines = [e.line for e in exc.value.errors if e.file.endswith("child.yaml")]
    assert files == ["child.yaml", "child.yaml", "parent.yaml"] and lines == sorted(lines)


def test_a_value_restated_without_its_unit_is_traced_to_both_files(tmp_path):
    """The parent writes pass_through in %; the child restates only the value, 150. The
    error says the value came from the child and its unit from the parent."""
    parent = spec({"segments": {"car": {"pass_through": q(100, "%")}}})
    (tmp_path / "parent.yaml").write_text(yaml.safe_dump(parent, sort_keys=False))
    (tmp_path / "child.yaml").write_text(yaml.safe_dump({
        "extends": "parent.yaml", "name": "child", "segments": {"car": {"pass_through": {"value": 150}}}},
        sort_keys=False))
    with pytest.raises(InstanceErrors) as exc:
        load(tmp_path / "child.yaml")
    (e,) = exc.value.errors
    assert e.field == "segments.car.pass_through.value" and "must be <= 100%" in e.message
    assert "value is from child.yaml but its unit '%' from parent.yaml" in e.hint


@pytest.mark.parametrize("field, value, unit", [("import_price", 1e308, "USD/vehicle"), ("imports", 2e12, "thousand vehicles")])
def test_a_number_too_large_for_the_solver_is_bad_input(tmp_path, field, value, unit):
    """Found by the fuzz test: an import price of 1e308 used to reach HiGHS and stop it (exit 1)."""
    errors = problems(tmp_path, {"segments": {"car": {field: q(value, unit)}}})
    assert [e.field for e in errors] == [f"segments.car.{field}.value"] and "far too large" in errors[0].message
