"""A report directory is replaced only when everything is written; failures keep the old one."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from model.reporting.report_directory import MARKER, OutputRefused, text_writer, write_directory

pytestmark = pytest.mark.slow  # subprocesses and signals

ROOT = Path(__file__).resolve().parent.parent


def leftovers(parent: Path, name: str) -> list[str]:
    """Anything beside the report folder: temporary folders, lock files, links."""
    return sorted(p.name for p in parent.iterdir() if p.name != name)


def listing(target: Path) -> list[str]:
    return sorted(p.name for p in target.iterdir() if p.name != MARKER)


def test_replaces_the_directory(tmp_path):
    target = tmp_path / "report"
    write_directory(target, {"a.txt": text_writer("one")})
    write_directory(target, {"b.txt": text_writer("two")})
    assert listing(target) == ["b.txt"]
    assert target.is_dir() and not target.is_symlink()          # a plain folder, not a link
    assert leftovers(tmp_path, "report") == []


def test_a_failing_writer_keeps_the_previous_report(tmp_path):
    target = tmp_path / "report"
    write_directory(target, {"results.json": text_writer("old")})

    def boom(path):
        raise RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        write_directory(target, {"results.json": text_writer("new"), "report.md": boom})
    assert (target / "results.json").read_text() == "old"
    assert leftovers(tmp_path, "report") == []


SLOW_WRITER = r"""
import signal, sys, time
# A job started in the background (`cmd &`) inherits SIGINT ignored, and Python then
# raises no KeyboardInterrupt: restore the default, as in an interactive run.
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, {root!r})
from model.reporting.report_directory import MARKER, OutputRefused, text_writer, write_directory
def slow(path):
    path.write_text("partial")
    print("writing", flush=True)
    time.sleep(30)
write_directory({target!r}, {{"results.json": text_writer("new"), "report.md": slow}})
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_write_keeps_the_previous_report(tmp_path, sig):
    target = tmp_path / "report"
    write_directory(target, {"results.json": text_writer("old")})
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER.format(root=str(ROOT), target=str(target))],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"    # the new directory is half written now
    proc.send_signal(sig)
    proc.wait(timeout=20)
    assert proc.returncode != 0
    assert (target / "results.json").read_text() == "old"
    assert listing(target) == ["results.json"]
    assert leftovers(tmp_path, "report") == []


def test_a_killed_write_leaves_the_report_whole_and_the_next_run_cleans_up(tmp_path):
    """SIGKILL runs no cleanup: the stable path must still be the old complete report, and
    the half-written version is removed by the next write."""
    target = tmp_path / "report"
    write_directory(target, {"results.json": text_writer("old")})
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER.format(root=str(ROOT), target=str(target))],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.kill()
    proc.wait(timeout=20)
    assert (target / "results.json").read_text() == "old"
    assert leftovers(tmp_path, "report")            # the killed run's half-written version
    write_directory(target, {"results.json": text_writer("newer")})
    assert (target / "results.json").read_text() == "newer"
    assert leftovers(tmp_path, "report") == []


def test_refuses_a_folder_the_tool_did_not_write(tmp_path):
    folder = tmp_path / "instances"
    folder.mkdir()
    (folder / "deal.yaml").write_text("keep me")
    with pytest.raises(OutputRefused, match="did not write"):
        write_directory(folder, {"results.json": text_writer("x")})
    assert (folder / "deal.yaml").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["instances"]


def test_refuses_an_existing_file(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    with pytest.raises(OutputRefused, match="existing file"):
        write_directory(notes, {"results.json": text_writer("x")})
    assert notes.read_text() == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_folder_of_reports_is_not_a_report(tmp_path):
    """`--out reports` must not wipe every other report and the compare cache."""
    reports = tmp_path / "reports"
    write_directory(reports / "a", {"results.json": text_writer("a")})
    (reports / ".cache").mkdir()
    (reports / ".cache" / "x.json").write_text("{}")
    with pytest.raises(OutputRefused):
        write_directory(reports, {"results.json": text_writer("x")})
    assert (reports / "a" / "results.json").read_text() == "a"
    assert (reports / ".cache" / "x.json").exists()


def test_empty_folder_is_used_and_a_folder_without_manifest_is_refused(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    write_directory(empty, {"results.json": text_writer("x")})
    assert (empty / "results.json").read_text() == "x"
    # Report files without a manifest (issue 22: `mkdir U; echo '{}' > U/results.json` lost results.json):
    # nothing tells whose they are, so the folder is refused and left as it is.
    legacy = tmp_path / "old" / "U"
    legacy.mkdir(parents=True)
    (legacy / "results.json").write_text("{}")
    (legacy / "report.md").write_text("old")
    with pytest.raises(OutputRefused, match="did not write"):
        write_directory(legacy, {"results.json": text_writer("new")})
    assert (legacy / "results.json").read_text() == "{}" and listing(legacy) == ["report.md", "results.json"]
    assert leftovers(tmp_path / "old", "U") == []


def test_permissions_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        target = write_directory(tmp_path / "report", {"results.json": text_writer("x")})
    finally:
        os.umask(old)
    assert oct(target.stat().st_mode & 0o777) == oct(0o755)


def test_cli_out_never_deletes_instances(tmp_path):
    """The issue's reproduction: `--out instances` used to delete every instance file."""
    inst_dir = tmp_path / "instances"
    inst_dir.mkdir()
    src = ROOT / "instances" / "no_deal.yaml"
    parent = ROOT / "instances" / "smart_defaults.yaml"
    for f in (src, parent):
        (inst_dir / f.name).write_text(f.read_text())
    before = {p.name: p.read_text() for p in inst_dir.iterdir()}
    proc = subprocess.run([sys.executable, str(ROOT / "solve.py"), "run", str(inst_dir / "no_deal.yaml"),
                           "--out", str(inst_dir)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "did not write" in proc.stderr and "Traceback" not in proc.stderr
    assert {p.name: p.read_text() for p in inst_dir.iterdir()} == before
