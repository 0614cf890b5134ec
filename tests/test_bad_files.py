"""Bad instance files give a clear error (file, field, line, hint), exit code 2, no traceback."""
import subprocess
import sys
from pathlib import Path

import pytest
from tiny import q, write

from model.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run_cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_valid_file_is_ok(tmp_path, capsys):
    code, text = run_cli(capsys, "validate", str(write(tmp_path)))
    assert code == 0 and ": ok:" in text


@pytest.mark.parametrize("override, field, words", [
    ({"segments": {"car": {"imports": None}}}, "segments.car.imports", "required"),
    ({"segments": {"car": {"imports": 1000}}}, "segments.car.imports", "value: ..., unit: ..., source"),
    ({"segments": {"car": {"imports": q(1000, "cars")}}}, "segments.car.imports.unit", "vehicles"),
    ({"segments": {"car": {"elasticity": q(1.2, "1")}}}, "segments.car.elasticity", "negative"),
    ({"segments": {"car": {"imports": q(-5, "vehicles")}}}, "segments.car.imports", "must be >"),
    ({"segments": {"car": {"imports": q(float("nan"), "vehicles")}}}, "segments.car.imports.value", "finite"),
    ({"segments": {"car": {"tariff_menu": "carz"}}}, "segments.car.tariff_menu", "did you mean 'cars'"),
    ({"channels": {"dealers": {"unit_value": {"lorry": q(1, "USD/vehicle")}}}}, "channels.dealers.unit_value.lorry",
     "unknown segment"),
    ({"tariff_menus": {"cars": {"flat": {"floor": q(30, "%")}}}}, "tariff_menus.cars.flat", "below floor"),
    ({"red_lines": {"x": {"party": "home", "label": "l", "reason": "r", "metric": "deficitt", "sense": "<=",
                          "bound": q(1, "USD")}}}, "red_lines.x.metric", "did you mean 'deficit'"),
    ({"segments": {"car": {"imports": q(1000, "vehicles", source="nowhere")}}}, "segments.car.imports.source",
     "unknown source"),
    ({"segments": {"car": {"colour": "red"}}}, "segments.car.colour", "unknown field"),
    ({"no_deal": {"tariff": {"cars": q(15, "%")}}}, "no_deal.tariff.cars", "not a flat tier"),
    ({"fixed_levers": {"commitments": {"dealers": {"car": q(500, "vehicles")}}}},
     "fixed_levers.commitments.dealers.car", "exceed what partner buyers would take"),
    ({"red_lines": {"x": {"party": "hom", "label": "l", "reason": "r", "metric": "deficit", "sense": "<=",
                          "bound": q(1, "USD")}}}, "red_lines.x.party", "'home' or 'partner'"),
    # An empty assumption or citation is no source (it was once read as a publication with no citation).
    ({"sources": {"test": {"assumption": ""}}}, "sources.test", "'assumption' is empty"),
    ({"sources": {"test": {"assumption": None, "citation": "  "}}}, "sources.test", "'citation' is empty"),
])
def test_bad_field_is_named(tmp_path, capsys, override, field, words):
    code, text = run_cli(capsys, "validate", str(write(tmp_path, override)))
    assert code == 2
    assert field in text and words in text, text
    assert "Traceback" not in text
    assert "tiny.yaml:" in text          # the file, with a line number


def test_yaml_syntax_error_names_the_line(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("schema_version: 1\nname: x\nsegments:\n  car: {imports: [1, 2\n")
    code, text = run_cli(capsys, "validate", str(path))
    assert code == 2 and "YAML syntax error" in text and "broken.yaml:" in text


def test_duplicate_key_is_an_error(tmp_path, capsys):
    text = write(tmp_path).read_text() + "name: again\n"
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    code, out = run_cli(capsys, "validate", str(path))
    assert code == 2 and "duplicate key" in out


def test_missing_file(capsys):
    code, text = run_cli(capsys, "run", "no/such/file.yaml")
    assert code == 2 and "file not found" in text


@pytest.mark.slow
def test_subprocess_never_shows_a_traceback(tmp_path):
    path = write(tmp_path, {"segments": {"car": {"pass_through": q(150, "%")}}})
    proc = subprocess.run([sys.executable, str(ROOT / "solve.py"), "run", str(path), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "segments.car.pass_through" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()   # nothing half-written
