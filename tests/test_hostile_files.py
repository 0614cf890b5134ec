"""Every file read gets the same guards, and what is echoed back is bounded (issue 22, items 7
and 8, and its messages):

- a file that is not an instance (or an offer), such as a link to a system file, is refused
  in one message that does not print its lines as "unknown field" (it used to print 50);
- error output is capped per message and in all, with a count of what was cut: 60 CSV rows
  with a 130,000-character cell printed 6.5 MB, an invalid 2 MB name was echoed whole;
- the offer file's problems are headed as the offer file's, not "the instance";
- `sweep --param` values are checked against the instance's cap before any solve (1e300
  ran and recorded a draw with status=error and no reason);
- `compare` of two files with the same `name` labels them by file in every output.
(The compare cache's guards are in test_cache_checks.py.)
"""
from __future__ import annotations

import csv
import io

import pytest
import yaml
from test_tables import FIELDS, car_and, csv_version
from tiny import q, spec, write

import model.jobs
import model.run
from model.cli import MAX_ERROR_OUTPUT, MAX_PRINTED_ERRORS, main
from model.text import MAX_MESSAGE_CHARS


def cli(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def no_solving(monkeypatch):
    """Fails the test if anything is solved (the checks must come first)."""
    def solve(*args, **kwargs):
        raise AssertionError("solved before the arguments were checked")
    monkeypatch.setattr(model.run, "solve_instance", solve)
    monkeypatch.setattr(model.jobs, "solve_instance", solve)


SECRET_LINES = "MemTotal:       16329808 kB\nAWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI\nroot_password: hunter2\n"


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_file_that_is_not_an_instance_is_not_echoed(tmp_path, capsys, command):
    """`validate` on a link to a system file used to print its keys as 'unknown field ...'."""
    system = tmp_path / "meminfo"
    system.write_text(SECRET_LINES)
    link = tmp_path / "looks.yaml"
    link.symlink_to(system)
    code, out, err = cli(capsys, command, link, *(["--out", tmp_path / "o"] if command == "run" else []))
    assert code == 2 and "this is not an instance file" in err and "contents are not shown" in err
    for word in ("MemTotal", "AWS_SECRET", "hunter2", "root_password", "unknown field"):
        assert word not in out + err
    assert not (tmp_path / "o").exists()


def test_an_offer_file_that_is_not_an_offer_is_not_echoed(tmp_path, capsys):
    system = tmp_path / "secrets.yaml"
    system.write_text(SECRET_LINES)
    code, out, err = cli(capsys, "evaluate", write(tmp_path), "--offer", system, "--out", tmp_path / "o")
    assert code == 2 and "this is not an offer file" in err and "hunter2" not in err and "AWS_SECRET" not in err
    assert "problem in the offer file" in err


def test_an_instance_with_a_misspelt_field_still_gets_did_you_mean(tmp_path, capsys):
    """The 'not an instance' refusal is only for files with no instance field at all."""
    code, _, err = cli(capsys, "validate", write(tmp_path, {"segmnts": {"x": 1}}))
    assert code == 2 and "unknown field 'segmnts'" in err


def test_problems_in_an_offer_file_are_headed_as_the_offer_files(tmp_path, capsys):
    offer = tmp_path / "offer.yaml"
    offer.write_text("schema_version: 1\noffer: x\ntitle: t\nfixed_levers: {tariff: {carz: 1, trucks: 2}}\n")
    code, _, err = cli(capsys, "evaluate", write(tmp_path), "--offer", offer, "--out", tmp_path / "o")
    assert code == 2 and "problems in the offer file:" in err and "in the instance" not in err


def test_a_huge_cell_in_many_csv_rows_prints_a_bounded_message(tmp_path, capsys):
    """60 rows with a 130,000-character cell printed 6.5 MB of errors."""
    cell = "x" * 130_000
    rows = "\n".join(f"t{i},trucks,cars,0,{cell},20000,0,10000,-1,1,0,1000,0,0" for i in range(60))
    code, _, err = cli(capsys, "validate", csv_version(tmp_path, car_and(rows)))
    assert code == 2 and len(FIELDS) == 11
    assert len(err) < MAX_ERROR_OUTPUT + 2 * MAX_MESSAGE_CHARS
    assert err.count("is not a number") == MAX_PRINTED_ERRORS and "(129,920 more characters)" in err


def test_a_huge_invalid_name_is_not_echoed_whole(tmp_path, capsys):
    data = spec()
    data["name"] = "bad name " + "x" * 2_000_000
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(data))
    code, _, err = cli(capsys, "validate", path)
    assert code == 2 and len(err) < 1_000 and "(1,999,931 more characters)" in err


@pytest.mark.slow
def test_every_message_and_the_whole_output_are_capped_with_a_count(tmp_path, capsys):
    """Unknown keys 50,000 characters long: each message cut in the middle (its start, the cut
    counted, its end with the hint), and the output stops at MAX_ERROR_OUTPUT characters."""
    data = spec()
    for i in range(60):
        data["segments"]["car"][f"k{i}" + "y" * 50_000] = 1
    path = tmp_path / "keys.yaml"
    path.write_text(yaml.safe_dump(data))
    code, _, err = cli(capsys, "validate", path)
    lines = err.splitlines()
    assert code == 2 and lines[0] == "error: 60 problems in the instance:"
    assert len(err) < MAX_ERROR_OUTPUT + 2 * MAX_MESSAGE_CHARS
    assert "characters cut ...]" in err and "hint:" in err
    assert "more problems not shown (the first" in lines[-1] and f"fill {MAX_ERROR_OUTPUT:,} characters" in lines[-1]


def test_sweep_values_above_the_cap_are_refused_before_solving(tmp_path, capsys, no_solving):
    """`--param ...=1e300` (above the 1e15 every number is held to) used to run and record a
    draw with status=error and no reason."""
    out = tmp_path / "o"
    code, _, err = cli(capsys, "sweep", write(tmp_path), "--param", "segments.car.imports=1000,1e300", "--out", out)
    assert code == 2 and "1e+300 vehicles is far too large (at most 1e+15" in err and "problem in the options" in err
    assert not out.exists()


def test_sweep_values_outside_the_fields_range_are_refused_before_solving(tmp_path, capsys, no_solving):
    code, _, err = cli(capsys, "sweep", write(tmp_path), "--param", "segments.car.elasticity=-1,0.5",
                       "--out", tmp_path / "o")
    assert code == 2 and "outside the field's range" in err


def test_compare_labels_instances_by_file_when_names_repeat(tmp_path, capsys, monkeypatch):
    """Two files with the same `name` gave a CSV whose instance column could not tell them apart."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = write(tmp_path / "a", {})
    b = write(tmp_path / "b", {"segments": {"car": {"imports": q(1200, "vehicles")}}})
    code, out, _ = cli(capsys, "compare", a, b, "--out", tmp_path / "c")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c" / "comparison.csv").read_text())))
    assert {r["instance"] for r in rows} == {str(a), str(b)}
    assert str(a) in out and str(b) in out
    md = (tmp_path / "c" / "comparison.md").read_text()
    assert f"`{a}`" in md and f"`{b}`" in md
    code, _, _ = cli(capsys, "compare", a, a, "--out", tmp_path / "same")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "same" / "comparison.csv").read_text())))
    assert {r["instance"] for r in rows} == {f"{a} #1", f"{a} #2"}


def test_unique_labels():
    from model.analyses.compare import unique_labels
    assert unique_labels(["x", "y"], ["p", "q"]) == ["x", "y"]
    assert unique_labels(["x", "x", "y"], ["a/x.yaml", "b/x.yaml", "y.yaml"]) == ["a/x.yaml", "b/x.yaml", "y"]
    assert unique_labels(["x", "x"], ["x.yaml", "x.yaml"]) == ["x.yaml #1", "x.yaml #2"]
