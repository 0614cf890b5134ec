"""CSV tables beside an instance file: rows load exactly as the same YAML; errors name CSV, line, column."""
from __future__ import annotations

import pytest
import yaml
from tiny import spec, write

from model.cli import main
from model.data.generate import Size, model_size, write_instance
from model.economics.loading import load
from model.errors import InstanceError, InstanceErrors

FIELDS = ["base_tariff", "imports", "import_price", "exports", "export_price", "elasticity", "pass_through",
          "partner_ceiling", "partner_margin", "home_substitution", "displacement"]


def car_and(truck: str) -> str:
    """segments.csv text: its header, a valid car row (line 2), then `truck` (line 3)."""
    return ("name,label,tariff_menu," + ",".join(FIELDS) + "\n"
            "car,cars,cars,0,1000,10000,0,10000,-1,1,0,1000,0,0\n" + truck + "\n")


def csv_version(tmp_path, rows_text: str | None = None, extra_tables=()):
    """The tiny instance with its segments moved to segments.csv (same numbers, units and sources)."""
    data = spec()
    segs = data.pop("segments")
    header = ["name", "label", "tariff_menu"] + FIELDS
    lines = [",".join(header)]
    for name, s in segs.items():
        lines.append(",".join([name, s["label"], s["tariff_menu"]] + [str(s[f]["value"]) for f in FIELDS]))
    (tmp_path / "segments.csv").write_text(rows_text or "\n".join(lines) + "\n")
    units = {f: {"unit": segs["car"][f]["unit"], "source": "test"} for f in FIELDS}
    data["tables"] = [{"csv": "segments.csv", "path": "segments.{name}", "columns": units}, *extra_tables]
    path = tmp_path / "csv.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_csv_rows_load_like_yaml(tmp_path):
    from_yaml = load(write(tmp_path))
    from_csv = load(csv_version(tmp_path))
    assert from_csv.segments == from_yaml.segments
    assert {i.path: (i.value, i.unit) for i in from_csv.inputs} == {i.path: (i.value, i.unit) for i in from_yaml.inputs}


def test_value_and_list_tables(tmp_path):
    """`value:` puts one cell at the path; a path ending in '[]' appends to a list."""
    (tmp_path / "values.csv").write_text("channel,segment,unit_value\ndealers,truck,30000\n")
    (tmp_path / "makers.csv").write_text("maker,segment\nacme,car\nacme,truck\n")
    tables = [{"csv": "values.csv", "path": "channels.{channel}.unit_value.{segment}", "value": "unit_value",
               "columns": {"unit_value": {"unit": "USD/vehicle", "source": "test"}}},
              {"csv": "makers.csv", "path": "makers.acme.segments[]", "value": "segment"}]
    path = csv_version(tmp_path, extra_tables=tables)
    data = yaml.safe_load(path.read_text())
    data["makers"] = {"acme": {"label": "Acme", "spare_capacity": {"value": 10, "unit": "vehicles", "source": "test"}}}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    inst = load(path)
    assert inst.channels["dealers"].unit_value == {"car": 10000.0, "truck": 30000.0}
    assert inst.makers["acme"].segments == ("car", "truck")


def test_bad_cell_names_file_line_and_column(tmp_path):
    with pytest.raises(InstanceErrors) as err:
        load(csv_version(tmp_path, car_and(truck="truck,trucks,cars,0,lots,20000,0,10000,-1,1,0,1000,0,0")))
    e = err.value.errors[0]
    assert e.file.endswith("segments.csv") and e.line == 3
    assert "column 'imports'" in e.message and "'lots' is not a number" in e.message


def test_range_error_in_a_row_points_at_the_row(tmp_path):
    with pytest.raises(InstanceErrors) as err:
        load(csv_version(tmp_path, car_and(truck="truck,trucks,cars,0,100,20000,0,10000,0.5,1,0,1000,0,0")))
    e = next(e for e in err.value.errors if "elasticity" in e.field)
    assert e.file.endswith("segments.csv") and e.line == 3 and e.field == "segments.truck.elasticity.value"


def test_missing_column_duplicate_row_and_outside_path(tmp_path):
    rows = "name,label,tariff_menu\ncar,cars,cars\n"
    with pytest.raises(InstanceErrors) as err:
        load(csv_version(tmp_path, rows))
    assert "no column 'base_tariff' in the header" in str(err.value)
    good = csv_version(tmp_path)
    text = (tmp_path / "segments.csv").read_text()
    (tmp_path / "segments.csv").write_text(text + text.splitlines()[1] + "\n")
    with pytest.raises(InstanceErrors) as err:
        load(good)
    assert "already given in" in str(err.value) and err.value.errors[0].line == 4
    data = yaml.safe_load(good.read_text())
    data["tables"][0]["csv"] = "../elsewhere.csv"
    good.write_text(yaml.safe_dump(data))
    with pytest.raises((InstanceError, InstanceErrors)) as err:
        load(good)
    assert "outside the instances tree" in str(err.value)


@pytest.mark.slow
def test_generated_instance_loads_solves_and_has_the_stated_size(tmp_path, capsys):
    """A small generated instance: valid, optimal, verified, with model_size's counts."""
    size = Size(segments=12, options=5, channels=3, coverage=0.5, makers=2, maker_coverage=0.5, seed=1)
    path = write_instance(size, tmp_path / "gen")
    from model.economics.metrics import references
    from model.economics.outcomes import option_table
    from model.optimization.build import build_model
    inst = load(path)
    table = option_table(inst)
    m = build_model(inst, table, references(inst, table))
    expected = model_size(size)
    assert m.nvariables() == expected["variables"]
    assert sum(1 for v in m.component_data_objects() if getattr(v, "is_binary", lambda: False)()) == expected["binaries"]
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    assert "verification: max violation" in capsys.readouterr().out
