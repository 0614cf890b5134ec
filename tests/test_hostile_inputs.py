"""Bad input and a bad environment get a clear message and exit 2 (input) or 1 (environment),
naming the file, field or path and what to do; never "internal error, please report it"
(issue 12, item 8). Hostile files are fixtures under tests/hostile/; files that cannot be
stored in git (FIFOs, devices, giant tables) are made by the tests."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tiny import q, spec, write

import model.data.tables as tables
import model.reporting.report_files as report_files
from model.cli import main

pytestmark = pytest.mark.slow  # subprocesses and full disks

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "hostile"


def cli(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out + out.err


def clear(text: str) -> bool:
    return "Traceback" not in text and "internal error" not in text and "please report" not in text


@pytest.mark.parametrize("fixture, words", [
    ("huge_number.yaml", ["huge_number.yaml:", "segments.car.imports.value", "too large"]),
    ("nested_1500.yaml", ["nested_1500.yaml", "too deeply"]),
    ("exponent_1e6.yaml", ["exponent_1e6.yaml:", "segments.car.imports.value", "1.0e+6 or 1000000"]),
])
def test_hostile_fixture_is_a_clear_input_error(capsys, fixture, words):
    code, text = cli(capsys, "validate", HOSTILE / fixture)
    assert code == 2 and clear(text), text
    for w in words:
        assert w in text, text


def test_nesting_deeper_than_the_limit_names_the_line(tmp_path, capsys):
    path = tmp_path / "deep.yaml"
    path.write_text("schema_version: 1\nname: x\nbody: " + "{a: " * 60 + "1" + "}" * 60 + "\n")
    code, text = cli(capsys, "validate", path)
    assert code == 2 and clear(text) and "nested more than 50 levels" in text and "deep.yaml:3" in text


def test_deeply_nested_mappings_too(tmp_path, capsys):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "{a: " * 1500 + "1" + "}" * 1500 + "\n")
    code, text = cli(capsys, "validate", path)
    assert code == 2 and clear(text) and "too deeply" in text


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "folder"])
def test_non_regular_files_are_refused_without_reading(tmp_path, capsys, kind):
    """/dev/zero used to fill the memory; a FIFO used to wait for ever for a writer."""
    if kind == "fifo":
        path = tmp_path / "pipe.yaml"
        os.mkfifo(path)
    elif kind == "dev_zero":
        path = Path("/dev/zero")
    else:
        path = tmp_path / "folder.yaml"
        path.mkdir()
    code, text = cli(capsys, "run", path, "--out", tmp_path / "out")
    assert code == 2 and clear(text), text
    assert str(path) in text and ("not a regular file" in text or "a folder" in text)
    assert not (tmp_path / "out").exists()


def test_a_fifo_named_as_a_csv_table_is_refused(tmp_path, capsys):
    data = spec()
    data["tables"] = [{"csv": "rows.csv", "path": "segments.{name}", "columns": {}}]
    os.mkfifo(tmp_path / "rows.csv")
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(data))
    code, text = cli(capsys, "validate", path)
    assert code == 2 and clear(text) and "rows.csv" in text and "not a regular file" in text


def test_a_fifo_as_extends_parent_is_refused(tmp_path, capsys):
    os.mkfifo(tmp_path / "base.yaml")
    path = tmp_path / "child.yaml"
    path.write_text("extends: base.yaml\n")
    code, text = cli(capsys, "validate", path)
    assert code == 2 and clear(text) and "base.yaml" in text


def cells_table(tmp_path, rows: int) -> Path:
    """The tiny instance with an NTB measure whose ceiling lifts come from a CSV of `rows` rows."""
    data = spec({"ntb_measures": {"m": {"label": "m", "political_cost": q(0, "USD"), "ceiling_lift": {}}}})
    data["tables"] = [{"csv": "lift.csv", "path": "ntb_measures.m.ceiling_lift.{segment}", "value": "lift",
                       "columns": {"lift": {"unit": "vehicles", "source": "test"}}}]
    (tmp_path / "lift.csv").write_text("segment,lift\n" + "".join(f"s{i},1\n" for i in range(rows)))
    path = tmp_path / "cells.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_csv_cell_cap_is_stated(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tables, "MAX_TABLE_CELLS", 100)
    code, text = cli(capsys, "validate", cells_table(tmp_path, 60))       # 122 cells with the header
    assert code == 2 and clear(text)
    assert "more than 100 cells, the limit" in text and "lift.csv" in text and "memory" in text


def test_csv_cell_cap_counts_the_whole_extends_chain(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tables, "MAX_TABLE_CELLS", 100)
    cells_table(tmp_path, 40)                                             # 82 cells: under the cap alone
    child = yaml.safe_load((tmp_path / "cells.yaml").read_text())
    child = {"extends": "cells.yaml", "tables": child["tables"]}
    (tmp_path / "lift.csv").write_text("segment,lift\n" + "".join(f"s{i},1\n" for i in range(40)))
    path = tmp_path / "child.yaml"
    path.write_text(yaml.safe_dump(child))
    code, text = cli(capsys, "validate", path)
    assert code == 2 and "more than 100 cells" in text


def test_csv_byte_cap_is_stated(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tables, "MAX_CSV_BYTES", 50)
    code, text = cli(capsys, "validate", cells_table(tmp_path, 60))
    assert code == 2 and clear(text) and "a CSV table is limited to 50 bytes" in text


def test_the_cell_cap_admits_the_largest_benchmark():
    """The generated 10^6-variable instance has about 1.0 million cells: it must still load."""
    from model.data.generate import size_for_variables
    s = size_for_variables(10**6)
    per_channel, per_maker = round(s.segments * s.coverage), round(s.segments * s.maker_coverage)
    cells = s.segments * 14 + s.channels * per_channel * 3 + s.segments * 3 + s.makers * per_maker * 2
    assert cells < tables.MAX_TABLE_CELLS


# -- --out and --export-lp: every file-system problem is an OutputRefused (2) or OutputFailed (1)

@pytest.mark.parametrize("out, code, words", [
    ("/", 2, "not a usable report directory name"),
    ("{tmp}/" + "x" * 300, 2, "too long"),
    ("{tmp}/" + "x" * 250, 2, "too long"),        # fits, but its hidden siblings' names would not
    ("{tmp}/notes.txt/report", 2, "a part of the path is a file"),
    ("{tmp}/notes.txt", 2, "existing file"),
])
def test_out_problems_are_named_before_solving(tmp_path, capsys, monkeypatch, out, code, words):
    import model.jobs as jobs
    monkeypatch.setattr(jobs, "solve_instance", lambda *a, **k: pytest.fail("solved despite a bad --out"))
    (tmp_path / "notes.txt").write_text("mine")
    got, text = cli(capsys, "run", write(tmp_path), "--out", out.format(tmp=tmp_path))
    assert got == code and clear(text) and words in text, text
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_full_disk_is_an_environment_error_and_keeps_the_old_report(tmp_path, capsys, monkeypatch):
    path, out = write(tmp_path), tmp_path / "R"
    assert cli(capsys, "run", path, "--out", out)[0] == 0
    before = (out / "results.json").read_text()

    def full(target, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
    monkeypatch.setattr(report_files, "write_xlsx", full)
    code, text = cli(capsys, "run", path, "--out", out)
    assert code == 1 and clear(text) and "no space left on the device" in text and str(out) in text
    assert (out / "results.json").read_text() == before


def test_export_lp_never_replaces_a_file_it_did_not_write(tmp_path, capsys):
    path = write(tmp_path)
    code, text = cli(capsys, "run", path, "--export-lp", path, "--out", tmp_path / "R")
    assert code == 2 and clear(text) and "not written by this tool" in text
    assert yaml.safe_load(path.read_text())["name"] == "tiny"
    code, text = cli(capsys, "run", path, "--export-lp", tmp_path, "--out", tmp_path / "R")
    assert code == 2 and "this is a folder" in text
    lp = tmp_path / "m.lp"
    for _ in range(2):               # its own LP file may be replaced
        code, text = cli(capsys, "run", path, "--export-lp", lp, "--out", tmp_path / "R")
        assert code == 0 and lp.read_text().startswith("\\ Deficit-minimizing")


CAN_DROP_ROOT = os.geteuid() == 0 and shutil.which("setpriv") is not None


def in_read_only_folder(tmp_path: Path, *args) -> subprocess.CompletedProcess:
    """Run solve.py from a read-only working folder (as root: without the capability to ignore
    permissions, so that they apply)."""
    ro = tmp_path / "ro"
    ro.mkdir(exist_ok=True)
    ro.chmod(0o555)
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + [sys.executable, str(ROOT / "solve.py"), *map(str, args)], cwd=ro,
                          capture_output=True, text=True, timeout=180)


@pytest.mark.skipif(os.geteuid() == 0 and not CAN_DROP_ROOT, reason="root, and no setpriv to drop the capability")
def test_read_only_working_folder(tmp_path):
    """run and compare with --out elsewhere work (compare skips its cache, with a note);
    run without --out says where it cannot write, before solving."""
    a = write(tmp_path, name="a.yaml")
    b = write(tmp_path, {"segments": {"car": {"imports": q(900, "vehicles")}}}, "b.yaml")
    outs = tmp_path / "outs"
    outs.mkdir()
    proc = in_read_only_folder(tmp_path, "compare", a, b, "--out", outs / "c")
    assert proc.returncode == 0, proc.stderr
    assert "could not save the results" in proc.stdout and "not cached" in proc.stdout
    assert (outs / "c" / "comparison.md").exists()
    proc = in_read_only_folder(tmp_path, "run", a, "--out", outs / "r")
    assert proc.returncode == 0, proc.stderr
    proc = in_read_only_folder(tmp_path, "run", a)
    assert proc.returncode == 1 and "permission denied" in proc.stderr and "reports/tiny" in proc.stderr
    assert clear(proc.stderr)
