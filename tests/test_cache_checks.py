"""The compare cache is checked, not trusted (issue 12, item 5): an entry is reused only when
it is whole, in this format, for this instance's content and this code, and matches its
checksum; anything else is ignored, said so, and the instance solved again."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from tiny import q, write

from model.analyses.compare import compare, solve_cached
from model.cli import main
from model.run import solve_instance

ROOT = Path(__file__).resolve().parent.parent
RED_LINE = {"red_lines": {"cap": {"party": "partner", "label": "cars at most 10%", "reason": "test",
                                  "metric": "tariff_rate", "index": "car", "sense": "<=", "bound": q(10, "%")}}}


def entry(cache: Path) -> Path:
    [path] = cache.glob("*.json")
    return path


def deficit(results) -> float:
    return results.metric("deficit").deal


@pytest.fixture
def cached(tmp_path):
    """An instance solved once, its entry in the cache, and its true deficit."""
    path, cache = write(tmp_path), tmp_path / "cache"
    results, use = solve_cached(path, cache, solve_instance)
    assert not use.reused and use.note is None
    return path, cache, deficit(results)


def test_a_whole_entry_is_reused(cached):
    path, cache, true = cached
    results, use = solve_cached(path, cache, solve_instance)
    assert use.reused and use.note is None and deficit(results) == true


def edit_deficit(key: Path) -> None:
    """What a hand edit does: change the deal deficit in the saved results."""
    saved = json.loads(key.read_text())
    results = json.loads(saved["results"])
    next(m for m in results["metrics"] if m["name"] == "deficit")["deal"] = 1.0
    saved["results"] = json.dumps(results)
    key.write_text(json.dumps(saved))


def counting(calls):
    def solve(inst):
        calls.append(inst.name)
        return solve_instance(inst)
    return solve


@pytest.mark.parametrize("damage, words", [
    (edit_deficit, "does not match its checksum"),
    (lambda k: k.write_bytes(k.read_bytes()[:200]), "not readable JSON"),          # truncated
    (lambda k: k.write_bytes(b""), "not readable JSON"),                            # empty
    (lambda k: k.write_bytes(b"\xff\xfe\x00garbage"), "not readable JSON"),         # not text
    (lambda k: k.write_text(json.loads(k.read_text())["results"]), "cache format"),  # an old, bare entry
    (lambda k: k.write_text(k.read_text().replace('"format": 1', '"format": 99')), "cache format"),
])
def test_a_damaged_entry_is_ignored_said_and_resolved(cached, damage, words):
    path, cache, true = cached
    damage(entry(cache))
    calls = []
    results, use = solve_cached(path, cache, counting(calls))
    assert not use.reused and calls == ["tiny"]
    assert words in use.note and "ignored the saved results for tiny" in use.note and "solved again" in use.note
    assert deficit(results) == pytest.approx(true)
    again, use = solve_cached(path, cache, counting(calls))            # rewritten whole: reused next time
    assert use.reused and deficit(again) == pytest.approx(true) and calls == ["tiny"]


def test_an_entry_for_another_instance_is_not_used(tmp_path, cached):
    """An entry copied over this instance's key (or a hash collision in the name) is refused:
    the hashes inside the entry are checked, not only its name."""
    path, cache, true = cached
    other = write(tmp_path, RED_LINE, "other.yaml")
    solve_cached(other, tmp_path / "other_cache", solve_instance)
    key = entry(cache)
    key.write_bytes(entry(tmp_path / "other_cache").read_bytes())
    results, use = solve_cached(path, cache, solve_instance)
    assert not use.reused and "another instance content or code version" in use.note
    assert deficit(results) == pytest.approx(true)


def test_an_unreadable_entry_is_ignored(cached):
    path, cache, true = cached
    key = entry(cache)
    key.unlink()
    key.mkdir()                                  # reading it fails (IsADirectoryError)
    results, use = solve_cached(path, cache, solve_instance)
    assert not use.reused and "cannot read" in use.note and deficit(results) == pytest.approx(true)


def run_limited(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """solve.py in a child process with at most 3 GB of address space, so that a cache entry
    read without its guards fails there (MemoryError, or the timeout for a FIFO) instead of
    filling this machine's memory or hanging the test run."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
    return subprocess.run([sys.executable, str(ROOT / "solve.py"), *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=300, preexec_fn=limit)


@pytest.mark.slow       # a child process each, under a memory limit
@pytest.mark.parametrize("kind, words", [("fifo", "not a regular file"), ("dev_zero", "not a regular file"),
                                         ("huge", "saved results are limited to")])
def test_something_else_in_an_entrys_place_is_not_read(tmp_path, monkeypatch, kind, words):
    """A FIFO in an entry's place used to hang `compare` for ever; a link to /dev/zero filled
    the memory. They are now refused before reading, as instance files are, and solved again."""
    import model.analyses.compare as cache_module
    a, b = write(tmp_path, {}, "a.yaml"), write(tmp_path, RED_LINE, "b.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "c")]) == 0
    cache = tmp_path / "reports" / ".cache"
    keys = sorted(cache.glob("*.json"))
    assert len(keys) == 2
    for key in keys:
        key.unlink()
        if kind == "fifo":
            os.mkfifo(key)
        elif kind == "dev_zero":
            key.symlink_to("/dev/zero")
        else:
            key.write_bytes(b" " * 64)
    if kind == "huge":
        monkeypatch.setattr(cache_module, "MAX_CACHE_BYTES", 10)
        comp, uses = compare([a, b], cache, solve_instance)
        notes = [u.note for u in uses]
    else:
        proc = run_limited(["compare", str(a), str(b), "--out", str(tmp_path / "c")], tmp_path)
        assert proc.returncode == 0, proc.stderr
        notes = [line for line in proc.stdout.splitlines() if line.startswith("note:")]
    assert len(notes) == 2 and all(words in n and "solved again" in n for n in notes), notes
    assert all(k.is_file() and not k.is_symlink() for k in keys)          # rewritten as whole entries


def test_an_unwritable_cache_skips_caching_with_a_note(tmp_path):
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the cache folder would go")
    results, use = solve_cached(write(tmp_path), blocker / ".cache", solve_instance)
    assert not use.reused and "not cached" in use.note and results.status == "optimal"


def test_compare_command_says_what_it_ignored(tmp_path, capsys, monkeypatch):
    """The issue's reproduction: a hand-edited deficit used to be 'reused saved results'."""
    monkeypatch.chdir(tmp_path)
    a, b = write(tmp_path, {}, "a.yaml"), write(tmp_path, RED_LINE, "b.yaml")
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "c")]) == 0
    capsys.readouterr()
    first = (tmp_path / "c" / "comparison.csv").read_text()
    for key in (tmp_path / "reports" / ".cache").glob("*.json"):
        edit_deficit(key)
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "reused saved results" not in out
    assert out.count("does not match its checksum") == 2
    assert (tmp_path / "c" / "comparison.csv").read_text() == first          # the true numbers, not the edit


@pytest.mark.slow
def test_compare_in_a_folder_where_the_cache_cannot_go(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").write_text("not a folder")
    a, b = write(tmp_path, {}, "a.yaml"), write(tmp_path, RED_LINE, "b.yaml")
    comp, uses = compare([a, b], tmp_path / "reports" / ".cache", solve_instance)
    assert [u.reused for u in uses] == [False, False] and all("not cached" in u.note for u in uses)
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "c")]) == 0
    assert capsys.readouterr().out.count("not cached") == 2
