"""A bad environment at start-up is a plain message and an exit code, with no traceback and
nothing written (issue 22, item 9): too little memory (exit 1; a raw ImportError traceback or
only an OpenBLAS line before), Ctrl-C while the libraries load (exit 130; a KeyboardInterrupt
traceback before), HiGHS that cannot be loaded for any reason (exit 6; an OSError from its
library got file-system advice before). Each runs `solve.py` in a child process, as a user
would; fake packages put first on PYTHONPATH stand in for broken libraries.
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tiny import write

ROOT = Path(__file__).resolve().parent.parent
# Every test here starts solve.py in a child process (seconds each): not in the fast loop.
pytestmark = pytest.mark.slow


def solve_py(args: list, cwd: Path, fake: Path | None = None, address_space: int | None = None,
             interrupt_after: float | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if fake is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(fake), env.get("PYTHONPATH", "")])

    def limit():
        if address_space:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    argv = [sys.executable, str(ROOT / "solve.py"), *map(str, args)]
    if interrupt_after is None:
        return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, preexec_fn=limit)
    # Interrupt `interrupt_after` seconds after the tool's own code began (Python's -X importtime
    # lists each import on stderr as it ends: model.start is the first of ours), not during
    # Python's own start, which the tool cannot handle.
    argv.insert(1, "-Ximporttime")
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.rstrip().endswith("| model.start"):
            break
    time.sleep(interrupt_after)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    err = "".join(line for line in lines + err.splitlines(keepends=True) if not line.startswith("import time:"))
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def fake_package(folder: Path, name: str, body: str) -> Path:
    (folder / name).mkdir(parents=True)
    (folder / name / "__init__.py").write_text(body + "\n")
    return folder


def clean(proc: subprocess.CompletedProcess) -> None:
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text and "OpenBLAS" not in text and "internal error" not in text, text[-2000:]


@pytest.mark.parametrize("megabytes", [60, 150, 300])
def test_too_little_memory_at_start_up_is_a_plain_error(tmp_path, megabytes):
    """`ulimit -v` below what the libraries need: below about 100 MB OpenBLAS used to print
    its own line and exit; above, numpy or pandas raised ImportError ('failed to map segment')."""
    path = write(tmp_path)
    proc = solve_py(["run", path, "--out", tmp_path / "o"], tmp_path, address_space=megabytes * 2**20)
    assert proc.returncode == 1 and "not enough memory to start" in proc.stderr, proc.stderr
    clean(proc)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]          # nothing left behind


@pytest.mark.parametrize("failure", ["raise MemoryError", "raise ImportError('libx.so: failed to map segment from "
                                     "shared object')"])
def test_memory_running_out_while_a_library_loads(tmp_path, failure):
    fake = fake_package(tmp_path / "fake", "pandas", failure)
    path = write(tmp_path)
    proc = solve_py(["run", path, "--out", tmp_path / "o"], tmp_path, fake=fake)
    assert proc.returncode == 1 and "not enough memory to start" in proc.stderr, proc.stderr
    clean(proc)
    assert not (tmp_path / "o").exists()


def test_a_library_that_is_not_installed_is_named(tmp_path):
    fake = fake_package(tmp_path / "fake", "pandas", "raise ImportError('No module named pandas._libs', "
                                                     "name='pandas._libs')")
    proc = solve_py(["validate", write(tmp_path)], tmp_path, fake=fake)
    assert proc.returncode == 1 and "the library pandas._libs cannot be loaded" in proc.stderr
    assert "make venv" in proc.stderr
    clean(proc)


@pytest.mark.parametrize("failure", ["raise ImportError('libhighs.so: cannot open shared object file')",
                                     "raise OSError(13, 'Permission denied', '/usr/lib/libhighs.so')",
                                     "raise RuntimeError('a broken build')"])
@pytest.mark.parametrize("command", [["run"], ["sweep", "--param", "segments.car.elasticity=-1,-2"]])
def test_highs_that_cannot_load_is_exit_6(tmp_path, failure, command):
    """An OSError from HiGHS's library used to get 'check the path, its permissions and the
    free space' (exit 1)."""
    fake = fake_package(tmp_path / "fake", "highspy", failure)
    path = write(tmp_path)
    proc = solve_py([command[0], path, *command[1:], "--out", tmp_path / "o"], tmp_path, fake=fake)
    assert proc.returncode == 6 and "HiGHS cannot be loaded" in proc.stderr, proc.stderr
    assert "free space" not in proc.stderr
    clean(proc)
    assert not (tmp_path / "o").exists()


def test_help_and_argument_errors_need_no_heavy_library(tmp_path):
    """--help and a bad option answer even when numpy cannot be loaded: the command's libraries
    are loaded only when it runs."""
    fake = fake_package(tmp_path / "fake", "numpy", "raise ImportError('numpy is broken here')")
    assert solve_py(["run", "--help"], tmp_path, fake=fake).returncode == 0
    proc = solve_py(["frontier", "x.yaml", "--points", "1"], tmp_path, fake=fake)
    assert proc.returncode == 2 and "--points must be" in proc.stderr
    clean(proc)


def test_ctrl_c_while_the_libraries_load(tmp_path):
    """A KeyboardInterrupt raised inside a library's import: exit 130, no traceback."""
    fake = fake_package(tmp_path / "fake", "pandas", "raise KeyboardInterrupt")
    proc = solve_py(["run", write(tmp_path), "--out", tmp_path / "o"], tmp_path, fake=fake)
    assert proc.returncode == 130 and "interrupted: no output was changed" in proc.stderr
    clean(proc)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("seconds", [0.0, 0.02, 0.1, 0.3, 0.6, 1.0, 2.0])
def test_ctrl_c_at_any_moment_of_the_first_seconds(tmp_path, seconds):
    """A real SIGINT at several moments after the tool's code began (the imports, reading, the
    solve; the interrupt used to surface as a KeyboardInterrupt traceback, or inside pydantic
    as an 'internal error: SchemaError'): whatever the moment,
    exit 130 with one line, or 0 if the run had finished; never a traceback, and an
    interrupted run writes nothing."""
    out = tmp_path / "o"
    proc = solve_py(["run", write(tmp_path), "--out", out], tmp_path, interrupt_after=seconds)
    assert proc.returncode in (0, 130), (proc.returncode, proc.stderr)
    clean(proc)
    if proc.returncode == 130:
        assert proc.stderr.strip().splitlines()[-1] == "interrupted: no output was changed"
        assert not out.exists()
