"""Report folders under concurrent writers, kills, moves, copies and the user's own files (issue 22).

The writer processes here import only `model.reporting.report_directory` (no solver), so
that many rounds of many writers stay fast; the command-line cases use the tiny instance."""
from __future__ import annotations

import hashlib
import json
import os
import select
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from tiny import write

import model.jobs as jobs
import model.reporting.report_files as report_files
from model.cli import main
from model.reporting import folder_swap, report_cleanup
from model.reporting.report_directory import MARKER, OutputRefused, text_writer, write_directory
from model.reporting.report_manifest import NEW_MARKER

ROOT = Path(__file__).resolve().parent.parent
# Writer processes, kills and concurrent command lines (seconds each): not in the fast loop.
pytestmark = pytest.mark.slow

# A writer process. Each line on stdin, "TAG", writes the report TAG to the target and
# answers "done TAG NS" (NS: the monotonic clock just after its swap, taken with the lock
# held, so the largest NS is the last swap). Options: --hold pauses at the swap (with the lock
# held) after printing "at-swap", until a line "go"; --hold-written pauses once the new report
# is written, before taking the lock to publish it, after printing "written", until "go", and
# then prints "locking"; --hold-marker pauses before the new folder's manifest is made, after
# printing "marker", until "go"; --no-exchange makes the system lack RENAME_EXCHANGE;
# --hold-aside pauses the fallback between its two renames.
WRITER = r"""
import json, os, sys, time
sys.path.insert(0, {root!r})
from model.reporting import folder_swap, report_directory as rd
options, target = sys.argv[1:-1], sys.argv[-1]
swapped = []
real_swap, real_locked, real_check = rd._swap, rd._locked, rd.check_target
checking = []

def swap(*args):
    if "--hold" in options:
        print("at-swap", flush=True)
        assert sys.stdin.readline().strip() == "go"
    old = real_swap(*args)
    swapped.append(time.monotonic_ns())
    return old
rd._swap = swap

def check(*args):
    checking.append(1)
    try:
        return real_check(*args)
    finally:
        checking.pop()
rd.check_target = check

def locked(*args):
    if "--hold-written" in options and not checking:      # the lock to publish, not the one to read
        print("written", flush=True)
        assert sys.stdin.readline().strip() == "go"
        print("locking", flush=True)
    return real_locked(*args)
rd._locked = locked

real_open_marker = rd._open_marker
def open_marker(*args):
    if "--hold-marker" in options:
        print("marker", flush=True)
        assert sys.stdin.readline().strip() == "go"
    return real_open_marker(*args)
rd._open_marker = open_marker

if "--no-exchange" in options:
    folder_swap._RENAMEAT2 = None
if "--hold-aside" in options:
    real_rename = os.rename
    def rename(src, dst, **kw):
        real_rename(src, dst, **kw)
        if os.path.basename(str(dst)).startswith(".R.old-"):
            print("aside", flush=True)
            sys.stdin.readline()
    folder_swap.os.rename = rename

def files(tag):
    stamp = f"{{tag}}\n"
    return {{"results.json": rd.text_writer(json.dumps({{"tag": tag}})),
             "report.md": rd.text_writer(stamp * 50),
             "levers.csv": rd.text_writer(stamp * (1 + sum(map(ord, tag)) % 400))}}

for line in sys.stdin:
    tag = line.strip()
    rd.write_directory(target, files(tag))
    print(f"done {{tag}} {{swapped[-1]}}", flush=True)
"""


def writer(target: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT)), *options, str(target)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def quiet(proc: subprocess.Popen, seconds: float) -> bool:
    """Whether `proc` writes nothing on stdout for `seconds` (it is waiting)."""
    return not select.select([proc.stdout], [], [], seconds)[0]


def send(proc: subprocess.Popen, line: str) -> None:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def complete(target: Path, user_files: frozenset = frozenset()) -> str:
    """The tag of the report at `target`, after checking it is whole: a plain folder, a
    finished manifest, every listed file present with its size and hash, all from the same
    writer, and nothing else but `user_files`. Everything is read through one descriptor of
    the folder, so a writer swapping in its report meanwhile cannot mix two folders' files;
    if the folder read was swapped out while it was read (and its files then removed as a
    previous report's), the report now at `target` is read again: what is checked is always
    one folder that was at `target`, read whole."""
    for _ in range(50):
        assert target.is_dir() and not target.is_symlink()
        fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            try:
                return _whole(fd, user_files)
            except (OSError, AssertionError, ValueError):
                if os.stat(target, follow_symlinks=False).st_ino == os.fstat(fd).st_ino:
                    raise              # still the folder at `target`: it is not whole
        finally:
            os.close(fd)
    raise AssertionError(f"{target} was swapped 50 times while it was read")


def _whole(fd: int, user_files: frozenset) -> str:
    def read(name: str) -> bytes:
        with open(name, "rb", opener=lambda path, flags: os.open(path, flags, dir_fd=fd)) as f:
            return f.read()
    manifest = json.loads(read(MARKER))
    assert "writing" not in manifest
    assert sorted(os.listdir(fd)) == sorted({MARKER, *manifest["files"], *user_files})
    for name, meta in manifest["files"].items():
        data = read(name)
        assert (len(data), hashlib.sha256(data).hexdigest()) == (meta["bytes"], meta["sha256"]), name
    tag = json.loads(read("results.json"))["tag"]
    assert set(read("report.md").decode().split()) == {tag}
    return tag


def beside(target: Path) -> list[str]:
    """What is beside the report: temporary folders, lock files and links must not stay."""
    return sorted(p.name for p in target.parent.iterdir() if p.name != target.name)


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


# -- concurrent writers -----------------------------------------------------------------------

def test_concurrent_writers_leave_one_complete_report_every_round(tmp_path):
    """Six writers, twenty rounds, all at once to one folder: after every round the report is
    complete, it is the last writer's to swap, the user's note is still there, and nothing is
    left beside it. (Before: about one round in ten lost the report.)"""
    target = tmp_path / "R"
    write_directory(target, {"results.json": text_writer(json.dumps({"tag": "first"}))})
    (target / "notes.txt").write_text("mine")
    procs = [writer(target) for _ in range(6)]
    try:
        for rnd in range(20):
            for k, proc in enumerate(procs):
                send(proc, f"w{k}-r{rnd}")
            answers = [proc.stdout.readline().split() for proc in procs]
            assert all(a[:1] == ["done"] for a in answers), answers
            last = max(answers, key=lambda a: int(a[2]))[1]
            assert complete(target, frozenset({"notes.txt"})) == last
            assert (target / "notes.txt").read_text() == "mine"
            assert beside(target) == []
    finally:
        for proc in procs:
            proc.stdin.close()
            proc.wait(timeout=20)
    assert all(proc.returncode == 0 for proc in procs)


def held_at_swap_while_other_waits(target: Path) -> tuple[subprocess.Popen, subprocess.Popen]:
    """Writers (a, b) over the previous report "old": b has written its report and asked for
    the lock; a stops at its swap, holding the lock."""
    write_directory(target, {"results.json": text_writer(json.dumps({"tag": "old"})),
                             "report.md": text_writer("old\n")})
    a, b = writer(target, "--hold"), writer(target, "--hold-written")
    send(b, "B")
    assert b.stdout.readline().strip() == "written"
    send(a, "A")
    assert a.stdout.readline().strip() == "at-swap"
    send(b, "go")
    assert b.stdout.readline().strip() == "locking"
    return a, b


def test_a_writer_held_at_its_swap_makes_the_others_wait(tmp_path):
    """B waits for the lock A holds at its swap, and the report stays the previous complete
    one until A goes on; then both publish in turn, B last. (Before: B's clean-up deleted
    A's version and the link dangled.)"""
    target = tmp_path / "R"
    a, b = held_at_swap_while_other_waits(target)
    try:
        assert quiet(b, 1.0)                         # B waits for A's lock ...
        assert complete(target) == "old"             # ... and the report is still the previous one
        send(a, "go")
        assert a.stdout.readline().split()[:2] == ["done", "A"]
        assert b.stdout.readline().split()[:2] == ["done", "B"]
    finally:
        for proc in (a, b):
            proc.stdin.close()
            proc.wait(timeout=20)
    assert complete(target) == "B" and beside(target) == []


def test_a_clean_up_leaves_a_folder_whose_writer_locks_and_finishes_while_it_looks(tmp_path, monkeypatch):
    """The race once seen under load: a clean-up looks at a live writer's folder before its
    manifest exists; the writer then makes, locks and finishes its manifest; the clean-up,
    looking again, must not take the folder for a killed run's. Played step by step: the
    writer is let go from inside the clean-up's lock test."""
    target = tmp_path / "R"
    a = writer(target, "--hold-marker", "--hold-written")
    send(a, "A")
    assert a.stdout.readline().strip() == "marker"
    real = report_cleanup.folder_swap.is_locked
    calls = []

    def is_locked(path):
        held = real(path)
        if not calls:                      # the first look: now let the writer lock and finish
            send(a, "go")
            assert a.stdout.readline().strip() == "written"
        calls.append(path.name)
        return held
    monkeypatch.setattr(report_cleanup.folder_swap, "is_locked", is_locked)
    report_cleanup.clean_stale(target)
    assert calls, "the clean-up did not look at the writer's folder"
    send(a, "go")
    assert a.stdout.readline().strip() == "locking"
    assert a.stdout.readline().split()[:2] == ["done", "A"]
    a.stdin.close()
    assert a.wait(timeout=30) == 0
    assert complete(target) == "A"


def test_a_writer_killed_at_its_swap_is_cleaned_up_by_the_next(tmp_path):
    """SIGKILL at the swap (lock held, the new folder finished): the previous report stays
    whole; the writer that was waiting publishes, and removes the killed run's folder."""
    target = tmp_path / "R"
    a, b = held_at_swap_while_other_waits(target)
    try:
        a.kill()
        a.wait(timeout=20)
        assert complete(target) in ("old", "B")      # whole, whether B has published yet or not
        assert b.stdout.readline().split()[:2] == ["done", "B"]
    finally:
        b.stdin.close()
        b.wait(timeout=20)
    assert complete(target) == "B" and beside(target) == []


# -- the fallback without RENAME_EXCHANGE ---------------------------------------------------------

def test_without_rename_exchange_the_fallback_swaps_and_keeps_the_users_files(tmp_path, monkeypatch):
    monkeypatch.setattr(folder_swap, "_RENAMEAT2", None)
    target = tmp_path / "R"
    write_directory(target, {"results.json": text_writer(json.dumps({"tag": "one"})), "report.md": text_writer("one")})
    (target / "notes.txt").write_text("mine")
    write_directory(target, {"results.json": text_writer(json.dumps({"tag": "two"})), "report.md": text_writer("two")})
    assert complete(target, frozenset({"notes.txt"})) == "two"
    assert (target / "notes.txt").read_text() == "mine" and beside(target) == []


def test_a_fallback_cut_between_its_renames_is_repaired_by_the_next_run(tmp_path):
    """Killed after moving the old report aside and before moving the new one in: the next
    run puts the old report back, then replaces it, and the user's note survives."""
    target = tmp_path / "R"
    write_directory(target, {"results.json": text_writer(json.dumps({"tag": "old"})), "report.md": text_writer("old")})
    (target / "notes.txt").write_text("mine")
    a = writer(target, "--no-exchange", "--hold-aside")
    send(a, "A")
    assert a.stdout.readline().strip() == "aside"
    a.kill()
    a.wait(timeout=20)
    assert not target.exists()                       # the documented gap of the fallback
    write_directory(target, {"results.json": text_writer(json.dumps({"tag": "next"})), "report.md": text_writer("next")})
    assert complete(target, frozenset({"notes.txt"})) == "next"
    assert (target / "notes.txt").read_text() == "mine" and beside(target) == []


# -- the user's files -------------------------------------------------------------------------

def test_files_the_report_does_not_list_are_kept(tmp_path, capsys):
    target = tmp_path / "R"
    write_directory(target, {"results.json": text_writer("1"), "report.md": text_writer("1")})
    (target / "notes.txt").write_text("mine")
    (target / "drafts").mkdir()
    (target / "drafts" / "letter.md").write_text("dear")
    os.symlink("notes.txt", target / "link-to-notes")
    write_directory(target, {"results.json": text_writer("2"), "report.md": text_writer("2")})
    assert (target / "results.json").read_text() == "2"
    assert (target / "notes.txt").read_text() == "mine"
    assert (target / "drafts" / "letter.md").read_text() == "dear"
    assert os.readlink(target / "link-to-notes") == "notes.txt"
    assert "kept 3 files of yours" in capsys.readouterr().err
    assert beside(target) == []


def test_an_edited_report_file_is_refused_and_kept(tmp_path):
    target = tmp_path / "R"
    write_directory(target, {"results.json": text_writer("1"), "report.md": text_writer("as written")})
    (target / "report.md").write_text("as written, with my comments")
    with pytest.raises(OutputRefused, match=r"report.md has changed since this tool wrote it"):
        write_directory(target, {"results.json": text_writer("2"), "report.md": text_writer("2")})
    assert (target / "report.md").read_text() == "as written, with my comments"
    assert (target / "results.json").read_text() == "1" and beside(target) == []
    (target / "report.md").rename(target / "mine-report.md")     # what the message suggests
    write_directory(target, {"results.json": text_writer("2"), "report.md": text_writer("2")})
    assert (target / "mine-report.md").read_text() == "as written, with my comments"
    assert (target / "report.md").read_text() == "2"


def test_a_file_of_the_same_name_written_by_someone_else_is_refused(tmp_path):
    """Unlisted, with a name the new report also uses: refused (before solving when it is a
    name the tool writes, at the swap otherwise), and the file is left as it is."""
    target = tmp_path / "R"
    write_directory(target, {"results.json": text_writer("1")})
    (target / "levers.csv").write_text("someone else's")
    with pytest.raises(OutputRefused, match="levers.csv is not written by this tool"):
        write_directory(target, {"results.json": text_writer("2")})
    (target / "levers.csv").unlink()
    (target / "extra.txt").write_text("someone else's")
    with pytest.raises(OutputRefused, match="extra.txt is not written by this tool.*not published"):
        write_directory(target, {"results.json": text_writer("2"), "extra.txt": text_writer("ours")})
    assert (target / "extra.txt").read_text() == "someone else's"
    assert (target / "results.json").read_text() == "1" and beside(target) == []


def test_a_manifest_naming_paths_outside_is_not_trusted(tmp_path):
    """A manifest lists plain names: one that names `../x` is not this tool's, and nothing is deleted."""
    victim = tmp_path / "x"
    victim.write_text("keep")
    target = tmp_path / "R"
    target.mkdir()
    (target / MARKER).write_text(json.dumps({"tool": "trade-negotiation-model", "command": "run",
                                             "files": {"../x": {"bytes": 4, "sha256": "0"}}}))
    with pytest.raises(OutputRefused, match="cannot tell which files in it are its own"):
        write_directory(target, {"results.json": text_writer("2")})
    assert victim.read_text() == "keep"


def test_leftovers_of_killed_runs_go_whatever_their_shape_and_no_link_is_followed(tmp_path):
    """Older code's `.R.link-<pid>` links, a link a user put at a temporary name, a folder of
    a killed writer: removed, and what the links point to is untouched."""
    target = tmp_path / "R"
    write_directory(target, {"results.json": text_writer("1")})
    users = tmp_path / "users-folder"
    users.mkdir()
    (users / "precious.txt").write_text("keep")
    pid = dead_pid()
    os.symlink(".R.versions/20250101-000000-000000000-1", tmp_path / f".R.link-{pid}")
    os.symlink(users, tmp_path / f".R.new-{pid}-0badcafe")
    half = tmp_path / f".R.new-{pid}-12345678"           # a killed writer's folder, half written
    half.mkdir()
    (half / MARKER).write_text(json.dumps({"tool": "trade-negotiation-model", "command": "run", "writing": True}))
    (half / "results.json").write_text("partial")
    early = tmp_path / f".R.new-{pid}-9abcdef0"         # killed before its manifest took its name
    early.mkdir()
    (early / NEW_MARKER).write_text(json.dumps({"tool": "trade-negotiation-model", "writing": True}))
    write_directory(target, {"results.json": text_writer("2")})
    assert beside(target) == ["users-folder"]
    assert (users / "precious.txt").read_text() == "keep"


def test_an_older_layouts_link_is_migrated_to_a_folder(tmp_path):
    """`R -> .R.versions/<v>` (the layout before this one): R becomes a plain folder; the
    user's note in the version is carried over; the version is removed, the versions folder
    too once empty; a version another link still points to is kept."""
    versions = tmp_path / ".R.versions"
    for v in ("20250101-000000-000000001-1", "20250101-000000-000000002-1"):
        (versions / v).mkdir(parents=True)
        (versions / v / MARKER).write_text(json.dumps({"tool": "trade-negotiation-model", "command": "run"}))
        (versions / v / "results.json").write_text(v)
        (versions / v / "bridge.svg").write_text("<svg/>")
    (versions / "20250101-000000-000000002-1" / "notes.txt").write_text("mine")
    os.symlink(".R.versions/20250101-000000-000000001-1", tmp_path / "R-kept")     # a report the user renamed
    os.symlink(".R.versions/20250101-000000-000000002-1", tmp_path / "R")
    target = write_directory(tmp_path / "R", {"results.json": text_writer("new")})
    assert target.is_dir() and not target.is_symlink()
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "notes.txt", "results.json"]
    assert (tmp_path / "R-kept" / "results.json").read_text() == "20250101-000000-000000001-1"
    assert sorted(p.name for p in versions.iterdir()) == ["20250101-000000-000000001-1"]
    assert beside(target) == [".R.versions", "R-kept"]


def test_links_the_tool_did_not_make_are_refused_not_followed(tmp_path):
    """R as a link into a versions folder that is itself a link (to the user's folder): refused."""
    users = tmp_path / "elsewhere"
    (users / "v").mkdir(parents=True)
    (users / "v" / MARKER).write_text(json.dumps({"tool": "trade-negotiation-model", "command": "run"}))
    (users / "v" / "results.json").write_text("keep")
    os.symlink(users, tmp_path / ".R.versions")
    os.symlink(".R.versions/v", tmp_path / "R")
    with pytest.raises(OutputRefused, match="link to something this tool did not write"):
        write_directory(tmp_path / "R", {"results.json": text_writer("new")})
    assert (users / "v" / "results.json").read_text() == "keep"
    assert os.readlink(tmp_path / "R") == ".R.versions/v"


def test_the_lock_file_name_taken_by_a_link_is_refused_and_a_held_lock_times_out(tmp_path, monkeypatch):
    import fcntl

    import model.reporting.report_directory as rd
    target = tmp_path / "R"
    write_directory(target, {"results.json": text_writer("1")})
    users = tmp_path / "users-file"
    users.write_text("keep")
    os.symlink(users, tmp_path / ".R.lock")
    with pytest.raises(OutputRefused, match="uses that name as a lock file"):
        write_directory(target, {"results.json": text_writer("2")})
    assert users.read_text() == "keep" and (target / "results.json").read_text() == "1"
    (tmp_path / ".R.lock").unlink()
    monkeypatch.setattr(rd, "LOCK_TIMEOUT", 0.2)
    with open(tmp_path / ".R.lock", "w") as held:       # another run holding the lock, stopped
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(rd.OutputFailed, match="another run has held its lock"):
            write_directory(target, {"results.json": text_writer("2")})
    assert (target / "results.json").read_text() == "1"


# -- keeping reports: move, copy, archive ---------------------------------------------------------

def test_a_moved_copied_or_archived_report_is_whole(tmp_path):
    target = tmp_path / "R"
    write_directory(target, {"results.json": text_writer(json.dumps({"tag": "kept"})), "report.md": text_writer("kept\n")})
    subprocess.run(["cp", "-r", str(target), str(tmp_path / "copy")], check=True)
    subprocess.run(["tar", "-cf", str(tmp_path / "r.tar"), "-C", str(tmp_path), "R"], check=True)
    os.rename(target, tmp_path / "moved")
    write_directory(target, {"results.json": text_writer(json.dumps({"tag": "new"})), "report.md": text_writer("new\n")})
    (tmp_path / "untar").mkdir()
    with tarfile.open(tmp_path / "r.tar") as tar:
        tar.extractall(tmp_path / "untar", filter="data")
    for kept in (tmp_path / "moved", tmp_path / "copy", tmp_path / "untar" / "R"):
        assert complete(kept) == "kept"
    assert complete(target) == "new"
    # a copy is a report like any other: it may be written to again
    write_directory(tmp_path / "copy", {"results.json": text_writer(json.dumps({"tag": "again"})),
                                        "report.md": text_writer("again\n")})
    assert complete(tmp_path / "copy") == "again" and complete(tmp_path / "moved") == "kept"


# -- the command line: checked before solving, nothing left behind ----------------------------------

def cli(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def no_solve(monkeypatch):
    monkeypatch.setattr(jobs, "solve_instance", lambda *a, **k: pytest.fail("solved despite a bad output path"))


def test_cli_a_folder_of_report_files_without_manifest_is_refused_before_solving(tmp_path, capsys, no_solve):
    folder = tmp_path / "U"
    folder.mkdir()
    (folder / "results.json").write_text("{}")
    code, text = cli(capsys, "run", write(tmp_path), "--out", folder)
    assert code == 2 and "did not write" in text and "Traceback" not in text
    assert (folder / "results.json").read_text() == "{}"


def test_cli_note_kept_and_edit_refused(tmp_path, capsys, monkeypatch):
    path, out = write(tmp_path), tmp_path / "R"
    assert cli(capsys, "run", path, "--out", out)[0] == 0
    (out / "notes.md").write_text("my notes")
    code, text = cli(capsys, "run", path, "--out", out)
    assert code == 0 and "kept 1 file of yours" in text and "notes.md" in text
    assert (out / "notes.md").read_text() == "my notes"
    with (out / "report.md").open("a") as fh:
        fh.write("my comment\n")
    monkeypatch.setattr(jobs, "solve_instance", lambda *a, **k: pytest.fail("solved despite an edited report"))
    code, text = cli(capsys, "run", path, "--out", out)
    assert code == 2 and "report.md has changed" in text and "Traceback" not in text
    assert (out / "report.md").read_text().endswith("my comment\n")


def test_cli_export_lp_inside_the_report_folder_is_refused_before_solving(tmp_path, capsys, monkeypatch):
    path, out = write(tmp_path), tmp_path / "R"
    assert cli(capsys, "run", path, "--out", out)[0] == 0
    monkeypatch.setattr(jobs, "solve_instance", lambda *a, **k: pytest.fail("solved despite a bad --export-lp"))
    for lp in (out / "model.lp", tmp_path / "new" / "model.lp"):
        code, text = cli(capsys, "run", path, "--out", lp.parent, "--export-lp", lp)
        assert code == 2 and "inside the report folder" in text, text
        assert not lp.exists()


def test_cli_an_empty_mount_point_is_refused_before_solving(tmp_path, capsys, no_solve, monkeypatch):
    mount = tmp_path / "mnt"
    mount.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == mount or real(p))
    code, text = cli(capsys, "run", write(tmp_path), "--out", mount)
    assert code == 2 and "mount point" in text and f"--out {mount / 'report'}" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnt", "tiny.yaml"]


def test_cli_a_full_disk_on_a_new_target_leaves_nothing(tmp_path, capsys, monkeypatch):
    path = write(tmp_path)

    def full(target, *args, **kwargs):
        raise OSError(28, os.strerror(28), str(target))
    monkeypatch.setattr(report_files, "write_xlsx", full)
    code, text = cli(capsys, "run", path, "--out", tmp_path / "new" / "deeper" / "R")
    assert code == 1 and "no space left" in text and "nothing there was changed" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]


def test_cli_concurrent_runs_leave_one_complete_report(tmp_path):
    """The issue's reproduction with the real command: four `run`s to one --out at once."""
    path, out = write(tmp_path), tmp_path / "R"
    procs = [subprocess.Popen([sys.executable, str(ROOT / "solve.py"), "run", str(path), "--out", str(out)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [proc.communicate(timeout=300)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 4, errors
    manifest = json.loads((out / MARKER).read_text())
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, *manifest["files"]])
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == meta["sha256"], name
    assert json.loads((out / "results.json").read_text())["status"] == "optimal"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["R", "tiny.yaml"]

