"""Report directories: written whole or not at all, and never over what the tool did not write.

Layout. `--out DIR` is a stable path that is a symbolic link to a complete, versioned
directory beside it, `.DIR.versions/<stamp>`. A new report is written into a fresh version
directory; only when every file is written is the link replaced, by renaming a new link
over it (one atomic `rename(2)`). So at every moment `DIR` is either the previous complete
report or the new complete one, even if the process is killed (SIGKILL included).
Old versions, and the half-written versions of killed runs, are removed on the next run.

Safety. Every report directory holds a marker file, `MARKER`. `DIR` may be replaced only
when it is absent, an empty directory, or a report of this tool (a directory, or a link to
one, holding the marker); anything else (a user's file, a folder of instance files, a
folder of reports) is refused with `OutputRefused` before anything is solved or written.
Directories are created with the user's umask, like any other file the user makes.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress
from pathlib import Path

MARKER = ".trade-negotiation-report"
VERSIONS = ".{name}.versions"


class OutputRefused(Exception):
    """`--out` names something this tool must not replace (exit 2: the user chooses another)."""


class OutputFailed(Exception):
    """The report could not be written (permissions, full disk, name too long): exit 1."""


def versions_dir(target: Path) -> Path:
    return target.parent / VERSIONS.format(name=target.name)


# What reports written before the marker existed hold: a directory holding only these is ours.
LEGACY_FILES = {"results.json", "report.md", "report.html", "results.xlsx", "timings.json", "levers.csv",
                "metrics.csv", "constraints.csv", "frontier.csv", "frontier.svg", "sweep.csv",
                "sweep_summary.json", "sweep.svg", "comparison.csv", "comparison.md", "comparison.html",
                "comparison.xlsx"}


def is_report(path: Path) -> bool:
    """A directory (or a link to one) that this tool wrote: it holds the marker file, or
    (a report from before the marker) only report files, results.json among them."""
    try:
        if not path.is_dir():
            return False
        if (path / MARKER).is_file():
            return True
        names = {p.name for p in path.iterdir()}
        return bool(names) and names <= LEGACY_FILES and bool(names & {"results.json", "comparison.csv", "sweep.csv"})
    except OSError:
        return False


def check_target(target: str | Path) -> Path:
    """`target` as a Path if a report may be written there; else OutputRefused saying why
    (or OutputFailed when the file system itself refuses: permissions, read-only).

    Called before any solve, so a bad `--out` costs nothing and changes nothing."""
    target = Path(target)
    if target.name in ("", ".", "..") or str(target) in (os.sep, "/"):
        raise OutputRefused(f"--out {target}: not a usable report directory name; name a new folder, "
                            f"e.g. --out reports/my-run")
    try:
        _check_writable(target)
        return _check_ours(target)
    except OSError as exc:
        raise output_error(target, exc) from None


def _check_ours(target: Path) -> Path:
    if target.is_symlink():
        if is_report(target):
            return target
        raise OutputRefused(f"--out {target}: it is a link to something this tool did not write; "
                            "it is left as it is: choose another --out")
    if not target.exists():
        return target
    if target.is_dir():
        if is_report(target):
            return target
        try:
            empty = next(target.iterdir(), None) is None
        except OSError as exc:
            raise OutputRefused(f"--out {target}: cannot be read ({exc.strerror}); choose another --out") from None
        if empty:
            return target
        raise OutputRefused(f"--out {target}: this folder holds files that this tool did not write (it has no "
                            f"{MARKER} marker), so it is left as it is: choose a new or empty folder")
    raise OutputRefused(f"--out {target}: this is an existing file, not a report folder; it is left as it is: "
                        "choose a folder name")


def _check_writable(target: Path) -> None:
    """What the file system will say when the report is written, asked before solving:
    the nearest existing folder above `target` must be a writable folder, and the names
    to create (the report's and its versions folder's) must fit. Raises OSError."""
    parent = target.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(parent))
    try:
        name_max = os.pathconf(parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    if len(os.fsencode(versions_dir(target).name)) > name_max:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), target.name)
    if not os.access(parent, os.W_OK | os.X_OK):
        read_only = bool(os.statvfs(parent).f_flag & os.ST_RDONLY)
        code = errno.EROFS if read_only else errno.EACCES
        raise OSError(code, os.strerror(code), str(parent))


def check_file_target(path: str | Path, option: str, ours: Callable[[bytes], bool]) -> Path:
    """`path` as a Path if a single output file (e.g. --export-lp) may be written there: not
    a folder, not an existing file that this tool did not write (`ours(first bytes)` says
    if it did), in a writable folder. OutputRefused / OutputFailed otherwise."""
    path = Path(path)
    try:
        if path.is_dir():
            raise OutputRefused(f"{option} {path}: this is a folder; name a file in it, e.g. {path / 'model.lp'}")
        if path.exists() or path.is_symlink():
            if not path.is_file() or path.is_symlink():
                raise OutputRefused(f"{option} {path}: this exists and is not a plain file; it is left as it is: "
                                    "choose another name")
            with open(path, "rb") as fh:
                head = fh.read(200)
            if not ours(head):
                raise OutputRefused(f"{option} {path}: this file was not written by this tool; it is left as it "
                                    "is: choose another name")
        _check_writable(path)
    except OSError as exc:
        raise output_error(path, exc, option) from None
    return path


def output_error(target: Path, exc: OSError, option: str = "--out") -> Exception:
    """An OSError about `--out` as the error the user sees: OutputRefused (exit 2) when the
    name itself is the problem, OutputFailed (exit 1) when the file system refuses."""
    message = _os_message(target, exc).replace("--out", option)
    if exc.errno in (errno.ENAMETOOLONG, errno.ENOTDIR, errno.ELOOP, errno.EEXIST, errno.EISDIR):
        return OutputRefused(message.replace("or free the space", "(a new name)"))
    return OutputFailed(message)


@contextmanager
def _signals_as_exceptions():
    """Turn SIGTERM into KeyboardInterrupt while writing, so cleanup runs."""
    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:       # not in the main thread: leave signals alone
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:          # exists, owned by someone else
        return True
    return True


def _clean_versions(versions: Path, keep: str | None) -> None:
    """Remove every version but `keep`: finished old ones, and half-written ones of dead runs."""
    if not versions.is_dir():
        return
    for entry in versions.iterdir():
        if entry.name == keep:
            continue
        pid = entry.name.rsplit("-", 1)[-1]
        running = not (entry / MARKER).exists() and pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid))
        if not running:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _current_version(target: Path, versions: Path) -> str | None:
    if target.is_symlink():
        dest = Path(os.readlink(target))
        if dest.parent.name == versions.name:
            return dest.name
    return None


def _mkdir(path: Path) -> None:
    """mkdir with the user's umask (tempfile.mkdtemp would make it private, 0700)."""
    path.mkdir(mode=0o777)


def write_directory(target: str | Path, files: dict[str, Callable[[Path], None]], command: str = "run") -> Path:
    """Write each `name -> writer(path)` as the report `target`, replacing it atomically.

    Raises OutputRefused when `target` is not ours to replace, OutputFailed when the
    file system refuses (the previous report is then untouched)."""
    target = check_target(target)
    versions = versions_dir(target)
    stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9:09d}-{os.getpid()}"
    version = versions / stamp
    link_tmp = target.parent / f".{target.name}.link-{os.getpid()}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        versions.mkdir(mode=0o777, exist_ok=True)
        _clean_versions(versions, keep=_current_version(target, versions))
        with _signals_as_exceptions():
            _mkdir(version)
            for name, writer in files.items():
                writer(version / name)
            (version / MARKER).write_text(json.dumps({"tool": "trade-negotiation-model", "command": command,
                                                     "written": time.strftime("%Y-%m-%dT%H:%M:%S")}) + "\n")
            _swap(target, link_tmp, Path(versions.name) / stamp)
    except BaseException as exc:
        shutil.rmtree(version, ignore_errors=True)
        with suppress(OSError):
            link_tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise output_error(target, exc) from None
        raise
    _clean_versions(versions, keep=stamp)
    return target


def _swap(target: Path, link_tmp: Path, relative: Path) -> None:
    """Point `target` at `relative` (a version directory) in one rename.

    A real directory at `target` (an empty one, or a report written before reports were
    versioned) cannot be renamed over by a link, so it is moved aside first: the one case
    with a moment without a report, and it happens once per target."""
    link_tmp.unlink(missing_ok=True)
    os.symlink(relative, link_tmp, target_is_directory=True)
    if target.is_dir() and not target.is_symlink():
        aside = versions_dir(target) / f"previous-{os.getpid()}"
        target.rename(aside)
        try:
            os.replace(link_tmp, target)
        except BaseException:
            aside.rename(target)
            raise
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(link_tmp, target)


def _os_message(target: Path, exc: OSError) -> str:
    why = {errno.EACCES: "permission denied", errno.EPERM: "operation not permitted",
           errno.ENOSPC: "no space left on the device", errno.EROFS: "read-only file system",
           errno.ENAMETOOLONG: "a name in the path is too long", errno.EDQUOT: "disk quota exceeded",
           errno.ENOTDIR: "a part of the path is a file, not a folder"}.get(exc.errno, exc.strerror or str(exc))
    where = exc.filename or target
    return (f"cannot write to {target}: {why} ({where}); nothing there was changed: choose another --out "
            "or free the space")


def text_writer(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")
