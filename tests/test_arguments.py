"""Command-line arguments are checked before anything is read, solved or written; closed or
broken standard streams change neither the report nor the exit code (issue 12, items 2 and 8)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tiny import q, write

import model.jobs as jobs
from model.cli import MAX_DRAWS, MAX_POINTS, MAX_PRINTED_ERRORS, main

pytestmark = pytest.mark.slow  # subprocesses

ROOT = Path(__file__).resolve().parent.parent
NO_ZOPA = ROOT / "instances" / "no_zopa_example.yaml"        # exit 3: no deal possible


def cli(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def no_solving(monkeypatch):
    """Any call into a job fails the test: a bad argument must stop before the work."""
    def forbidden(*args, **kwargs):
        raise AssertionError("a job ran despite a bad argument")
    for name in ("run", "frontier", "sweep", "compare", "validate"):
        monkeypatch.setattr(jobs, name, forbidden)


BAD = [
    (["run", "F", "--time-limit", "-1"], "--time-limit"),
    (["run", "F", "--time-limit", "0"], "--time-limit"),
    (["run", "F", "--time-limit", "nan"], "--time-limit"),
    (["run", "F", "--time-limit", "inf"], "--time-limit"),
    (["run", "F", "--time-limit", "soon"], "--time-limit"),
    (["frontier", "F", "--points", "1"], "--points"),
    (["frontier", "F", "--points", str(MAX_POINTS + 1)], "--points"),
    (["frontier", "F", "--points", "100000"], "--points"),
    (["frontier", "F", "--points", "2.5"], "--points"),
    (["sweep", "F", "--seed", "-1"], "--seed"),
    (["sweep", "F", "--seed", str(2**64)], "--seed"),
    (["sweep", "F", "--monte-carlo", "-3"], "--monte-carlo"),
    (["sweep", "F", "--monte-carlo", str(MAX_DRAWS + 1)], "--monte-carlo"),
    (["sweep", "F", "--workers", "0"], "--workers"),
    (["sweep", "F", "--workers", "100000"], "--workers"),
    (["sweep", "F", "--param", "segments.car.imports=nan"], "--param"),
    (["sweep", "F", "--param", "segments.car.imports=1,inf"], "--param"),
    (["sweep", "F", "--param", "segments.car.imports"], "--param"),
    (["sweep", "F", "--param", "segments.car.imports=1,2", "--param", "segments.truck.imports=" +
      ",".join(str(i) for i in range(1, 1001)), "--monte-carlo", "600"], "draws"),
    (["sweep", "F", "--scheduler", "tcp://x:1", "--scheduler-timeout", "0"], "--scheduler-timeout"),
    (["compare", "F"], "at least two"),
]


@pytest.mark.parametrize("argv, named", BAD, ids=[" ".join(a)[:60] for a, _ in BAD])
def test_bad_argument_is_exit_2_before_any_work(tmp_path, capsys, no_solving, argv, named):
    path = write(tmp_path)
    out = tmp_path / "out"
    code, stdout, err = cli(capsys, *[str(path) if a == "F" else a for a in argv], "--out", out)
    assert code == 2, err
    assert named in err and "Traceback" not in err and "internal error" not in err
    assert not out.exists()


def test_a_bad_argument_leaves_a_good_report_as_it_was(tmp_path, capsys):
    """The issue's reproduction: `--time-limit=-1 --out R` replaced R's good report with an error."""
    path, out = write(tmp_path), tmp_path / "R"
    assert cli(capsys, "run", path, "--out", out)[0] == 0
    before = (out / "results.json").read_text()
    code, _, err = cli(capsys, "run", path, "--time-limit=-1", "--out", out)
    assert code == 2 and "--time-limit" in err
    assert (out / "results.json").read_text() == before


def test_seed_zero_and_large_seed_are_accepted(tmp_path, capsys):
    path = write(tmp_path, {"uncertainty": {"segments.car.elasticity": {
        "distribution": "uniform", "low": q(-2, "1"), "high": q(-0.5, "1")}}})
    for seed in ("0", str(2**64 - 1)):
        code, _, err = cli(capsys, "sweep", path, "--monte-carlo", "2", "--seed", seed, "--out", tmp_path / seed)
        assert code == 0, err


@pytest.mark.parametrize("before", [True, False])
def test_debug_works_before_or_after_the_command(tmp_path, capsys, monkeypatch, before):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")
    monkeypatch.setattr(jobs, "validate", broken)
    argv = ["--debug", "validate", "x.yaml"] if before else ["validate", "x.yaml", "--debug"]
    code, _, err = cli(capsys, *argv)
    assert code == 1 and "internal error: RuntimeError: a bug" in err
    assert "Traceback" in err
    code, _, err = cli(capsys, "validate", "x.yaml")
    assert code == 1 and "Traceback" not in err


def test_errors_printed_are_capped_with_a_count_of_the_rest(tmp_path, capsys):
    n = 400
    path = write(tmp_path, {"segments": {"car": {f"colour{i}": "red" for i in range(n)}}})
    code, _, err = cli(capsys, "validate", path)
    assert code == 2
    assert f"{n} problems in the instance" in err
    assert err.count("unknown field") == MAX_PRINTED_ERRORS
    assert f"... and {n - MAX_PRINTED_ERRORS} more problems not shown" in err


def test_many_unknown_keys_print_50_lines(tmp_path, capsys):
    """The issue's file had 150,000 unknown keys and printed 150,000 errors; 30,000 show the
    same (the cap does not depend on the count; reading 150,000 keys takes PyYAML ~8 s)."""
    text = write(tmp_path).read_text() + "".join(f"k{i}: 1\n" for i in range(30_000))
    path = tmp_path / "keys.yaml"
    path.write_text(text)
    code, _, err = cli(capsys, "validate", path)
    assert code == 2 and "30,000 problems" in err and "29,950 more" in err
    assert len(err.splitlines()) < MAX_PRINTED_ERRORS * 3


def test_non_utf8_file_names_are_refused_clearly(tmp_path, capsys, no_solving):
    name = os.fsdecode(b"deal-\xff.yaml")
    path = tmp_path / name
    path.write_bytes(write(tmp_path).read_bytes())
    code, _, err = cli(capsys, "run", path)
    assert code == 2 and "not valid UTF-8" in err and "deal-\\xff.yaml" in err
    code, _, err = cli(capsys, "run", write(tmp_path), "--out", tmp_path / os.fsdecode(b"out-\xfe"))
    assert code == 2 and "not valid UTF-8" in err


def run_solver(args, **kwargs):
    return subprocess.run([sys.executable, str(ROOT / "solve.py"), *map(str, args)], capture_output=True, text=True,
                          timeout=120, **kwargs)


def test_closed_stdout_changes_neither_report_nor_exit_code(tmp_path):
    """`run ... >&-` used to write a report with status 'error' (AttributeError on flush) and exit 1."""
    path, out = write(tmp_path), tmp_path / "R"
    proc = subprocess.run(f'exec "{sys.executable}" "{ROOT / "solve.py"}" run "{path}" --out "{out}" >&-',
                          shell=True, capture_output=False, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "results.json").read_text())["status"] == "optimal"
    assert "Traceback" not in proc.stderr


def test_closed_stderr_too(tmp_path):
    path, out = write(tmp_path), tmp_path / "R"
    proc = subprocess.run(f'exec "{sys.executable}" "{ROOT / "solve.py"}" run "{path}" --out "{out}" >&- 2>&-',
                          shell=True, timeout=120)
    assert proc.returncode == 0
    assert json.loads((out / "results.json").read_text())["status"] == "optimal"


def broken_pipe_run(args) -> tuple[int, str]:
    """Run with stdout a pipe whose reader is gone before anything is printed (`| true`)."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "solve.py"), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    err = proc.stderr.read()
    return proc.wait(timeout=120), err


@pytest.mark.parametrize("instance, expected", [("tiny", 0), ("no_zopa", 3)])
def test_broken_pipe_keeps_the_exit_code(tmp_path, instance, expected):
    """A reader that went away (`| head`) used to turn every result into exit 0."""
    path = write(tmp_path) if instance == "tiny" else NO_ZOPA
    code, err = broken_pipe_run(["run", path, "--out", tmp_path / "R"])
    assert code == expected, err
    assert "Traceback" not in err and "Exception ignored" not in err and "BrokenPipe" not in err
    assert (tmp_path / "R" / "report.md").exists()


def test_broken_pipe_after_bad_input_is_still_exit_2(tmp_path):
    bad = write(tmp_path, {"segments": {"car": {"imports": q(-5, "vehicles")}}})
    code, err = broken_pipe_run(["run", bad, "--out", tmp_path / "R"])
    assert code == 2 and "segments.car.imports" in err
    code, err = broken_pipe_run(["validate", write(tmp_path, name="ok.yaml")])
    assert code == 0 and "Exception ignored" not in err
