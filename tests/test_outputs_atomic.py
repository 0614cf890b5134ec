"""A report directory is replaced only when everything is written; failures keep the old one."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from model.outputs import text_writer, write_directory

ROOT = Path(__file__).resolve().parent.parent


def leftovers(parent: Path, name: str) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name != name]


def test_replaces_the_directory(tmp_path):
    target = tmp_path / "report"
    write_directory(target, {"a.txt": text_writer("one")})
    write_directory(target, {"b.txt": text_writer("two")})
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
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
from model.outputs import text_writer, write_directory
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
    assert sorted(p.name for p in target.iterdir()) == ["results.json"]
    assert leftovers(tmp_path, "report") == []
