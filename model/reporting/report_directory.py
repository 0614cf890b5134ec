"""Report directories: written whole or not at all, and never over a file the tool did not write.

Layout. `--out DIR` is a plain folder: it can be moved, copied (`cp -r`) and archived
(`tar`) like any other. A new report is written into a hidden sibling, `.DIR.new-<pid>-<hex>`;
only when every file is written, and its manifest (`report_manifest`) lists them with their
SHA-256, is it swapped with `DIR` in one atomic exchange (`folder_swap.exchange`). So at
every moment `DIR` is the previous complete report or the new complete one, even if the
process is killed (SIGKILL included). The previous report, now at the hidden name, is then
removed file by file (`report_cleanup`).

Ownership is per file. A file in `DIR` that its manifest lists, with the listed content,
is the tool's. Anything else there (a note the user saved) is carried into the new report
(hard-linked, or copied) and the terminal says so. A listed file whose content has changed
since (the user edited report.md) makes the run refuse, before solving: the user decides.
A folder with files but no manifest is not a report: refused. Nothing is ever deleted
through a link: links are removed, never followed.

Writers of one `DIR` take turns. Each holds an advisory lock (`.DIR.lock`, flock) while it
reads `DIR` before solving, and around the swap and the clean-up, so any number of
concurrent runs leave one complete report, that of the last to swap. A writer removes what
it made, and the hidden folders of runs that were killed (no process holds their
manifest's lock, or, without a manifest, their pid is gone).

Older layouts are migrated when written to: `DIR` as a link into `.DIR.versions/` becomes a
real folder; only the version it pointed to (and half-written versions of killed runs) are
removed from `.DIR.versions/`, which goes once empty.
"""
from __future__ import annotations

import errno
import fcntl
import os
import secrets
import shutil
import signal
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from model.reporting import folder_swap, report_cleanup, report_manifest
from model.reporting.report_manifest import KNOWN_NAMES, MARKER, NEW_MARKER, Manifest, ManifestUnreadable

LOCK_TIMEOUT = 300.0            # seconds a writer waits while another swaps the same DIR
_PID_DIGITS = 7                 # Linux pids are below 2^22: the temporary names' length is bounded
_SHOWN = 10                     # file names listed in one message


class OutputRefused(Exception):
    """`--out` names something this tool must not replace (exit 2: the user chooses another)."""


class OutputFailed(Exception):
    """The report could not be written (permissions, full disk, name too long): exit 1."""


@dataclass
class _Current:
    """What is at DIR now."""
    kind: str                               # "absent", "empty", "report", or "link" (older layout)
    folder: Path | None = None              # the folder holding the report's files
    manifest: Manifest | None = None
    others: list[str] = field(default_factory=list)   # names in `folder` that the manifest does not list


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
        if os.path.lexists(target):
            with _locked(target):      # so that another writer's swap cannot change it while it is read
                _inspect(target)
    except OSError as exc:
        raise output_error(target, exc) from None
    return target


def _inspect(target: Path) -> _Current:
    """What is at `target`, if a report may replace it; OutputRefused otherwise."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return _Current("absent")
    if stat.S_ISLNK(st.st_mode):
        kind, folder = "link", _old_version(target)
        if folder is None:
            raise OutputRefused(f"--out {target}: it is a link to something this tool did not write; "
                                "it is left as it is: choose another --out")
    elif stat.S_ISDIR(st.st_mode):
        kind, folder = "report", target
        if os.path.ismount(target):
            raise OutputRefused(f"--out {target}: this is a mount point; a report is written beside its folder and "
                                "then renamed into place, which a mount point does not allow: name a folder inside "
                                f"it, e.g. --out {target / 'report'}")
    else:
        raise OutputRefused(f"--out {target}: this is an existing file, not a report folder; it is left as it is: "
                            "choose a folder name")
    try:
        names = sorted(os.listdir(folder))
        found = report_manifest.read(folder)
    except ManifestUnreadable as exc:
        raise OutputRefused(f"--out {target}: {exc}, so this tool cannot tell which files in it are its own; "
                            "it is left as it is: choose another --out") from None
    if found is None or found.writing:
        if not names and kind == "report":
            return _Current("empty", folder)
        raise OutputRefused(f"--out {target}: this folder holds files that this tool did not write (it has no "
                            f"{MARKER} manifest), so it is left as it is: choose a new or empty folder")
    changed = found.changed(folder)
    if changed:
        first = changed[0]
        raise OutputRefused(
            f"--out {target}: {_listing(changed, ('has', 'have'))} changed since this tool wrote "
            f"{'it' if len(changed) == 1 else 'them'}, and a new report would replace "
            f"{'it' if len(changed) == 1 else 'them'}. To keep your version, rename it inside the folder "
            f"(e.g. {first} -> mine-{first}: files the report does not list are kept) or move it out; to "
            "discard it, delete it. Then run again")
    others = [n for n in names if n != MARKER and not found.owns(n)]
    clash = [n for n in others if n in KNOWN_NAMES]
    if clash:
        raise OutputRefused(f"--out {target}: {_listing(clash)} not written by this tool (the report's manifest "
                            "does not list it), and the new report has a file of that name: rename or move it, "
                            "then run again")
    return _Current(kind, folder, found, others)


def _listing(names: list[str], verb: tuple[str, str] = ("is", "are")) -> str:
    """'a, b are' / 'a is': the names (up to _SHOWN) and a verb that agrees."""
    return f"{_names(names)} {verb[len(names) > 1]}"


def _names(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(_shown(n) for n in names[:_SHOWN]) + more


def _shown(name: str) -> str:
    """A file name as the terminal can show it: control characters escaped."""
    return name if name.isprintable() else ascii(name)


def _old_version(target: Path) -> Path | None:
    """For `target` a link as the older layout made it (`.DIR.versions/<one name>`, both real
    folders, never through another link): the version folder it points to. None otherwise."""
    parts = PurePosixPath(os.readlink(target)).parts
    versions = f".{target.name}.versions"
    if len(parts) != 2 or parts[0] != versions or parts[1] in (".", ".."):
        return None
    try:
        if all(stat.S_ISDIR(os.lstat(p).st_mode) for p in (target.parent / versions, target.parent / versions / parts[1])):
            return target.parent / versions / parts[1]
    except FileNotFoundError:
        pass
    return None


def _check_writable(target: Path) -> None:
    """What the file system will say when the report is written, asked before solving:
    the nearest existing folder above `target` must be a writable folder, and the names
    to create (the report's and its hidden siblings') must fit. Raises OSError."""
    parent = target.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(parent))
    try:
        name_max = os.pathconf(parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    if len(os.fsencode(_sibling(target, "new", pid=10 ** _PID_DIGITS - 1).name)) > name_max:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), target.name)
    if not os.access(parent, os.W_OK | os.X_OK):
        read_only = bool(os.statvfs(parent).f_flag & os.ST_RDONLY)
        code = errno.EROFS if read_only else errno.EACCES
        raise OSError(code, os.strerror(code), str(parent))


def check_file_target(path: str | Path, option: str, ours: Callable[[bytes], bool],
                      report: Path | None = None) -> Path:
    """`path` as a Path if a single output file (e.g. --export-lp) may be written there: not
    a folder, not an existing file that this tool did not write (`ours(first bytes)` says
    if it did), not inside the `report` folder this run replaces, in a writable folder.
    OutputRefused / OutputFailed otherwise."""
    path = Path(path)
    try:
        if report is not None and _within(path, report):
            raise OutputRefused(f"{option} {path}: this is inside the report folder {report}, which this run "
                                f"replaces with a new one (the file would go with the old report): write it "
                                f"elsewhere, e.g. {option} {report.parent / path.name}")
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


def _within(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or inside it, links in either resolved."""
    inner, outer = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([inner, outer]) == outer


def output_error(target: Path, exc: OSError, option: str = "--out") -> Exception:
    """An OSError about `--out` as the error the user sees: OutputRefused (exit 2) when the
    name itself is the problem, OutputFailed (exit 1) when the file system refuses."""
    message = _os_message(target, exc).replace("--out", option)
    if exc.errno in (errno.ENAMETOOLONG, errno.ENOTDIR, errno.ELOOP, errno.EEXIST, errno.EISDIR, errno.ENOTEMPTY):
        return OutputRefused(message.replace("or free the space", "(a new name)"))
    return OutputFailed(message)


# -- writing ---------------------------------------------------------------------------

def write_directory(target: str | Path, files: dict[str, Callable[[Path], None]], command: str = "run") -> Path:
    """Write each `name -> writer(path)` as the report `target`, replacing it atomically.

    Raises OutputRefused when `target` is not ours to replace, OutputFailed when the
    file system refuses (the previous report is then untouched, and nothing is left)."""
    target = check_target(target)
    made: list[Path] = []
    new: Path | None = None
    marker: int | None = None
    try:
        made = _make_parents(target.parent)
        with _signals_as_exceptions():
            new = _sibling(target, "new")
            new.mkdir(mode=0o777)                 # with the user's umask, like any folder they make
            marker = _open_marker(new, command)
            for name, writer in files.items():
                writer(new / name)
            listed = {name: report_manifest.digest(new / name) for name in os.listdir(new) if name != MARKER}
            os.ftruncate(marker, 0)
            os.pwrite(marker, report_manifest.encode(command, listed), 0)
            with _locked(target), _signals_deferred():
                report_cleanup.clean_stale(target)
                current = _inspect(target)        # again: it may have changed while this run solved
                clash = sorted(set(current.others) & set(listed))
                if clash:
                    raise OutputRefused(f"--out {target}: {_listing(clash)} not written by this tool, and the new "
                                        "report has a file of that name: rename or move it, then run again (the "
                                        "new report was not published)")
                _carry_over(current, new)
                old = _swap(new, target, current)
                new = None                        # from here on, `new`'s old name holds the previous report
                kept = report_cleanup.retire(target, current.kind, current.folder, current.manifest, old)
    except BaseException as exc:
        if new is not None:
            shutil.rmtree(new, ignore_errors=True)
        for folder in reversed(made):
            with suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OSError):
            raise output_error(target, exc) from None
        raise
    finally:
        if marker is not None:
            os.close(marker)
    _tell(target, current.others, kept)
    return target


def _sibling(target: Path, kind: str, pid: int | None = None) -> Path:
    """A hidden name beside `target` for a folder being written ("new") or set aside ("old")."""
    return target.parent / f".{target.name}.{kind}-{pid or os.getpid()}-{secrets.token_hex(4)}"


def _make_parents(folder: Path) -> list[Path]:
    """Create `folder` and missing folders above it; the ones created, top first (so that a
    failed write can remove them: a failure leaves nothing behind)."""
    missing = []
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    made = []
    try:
        for f in reversed(missing):
            f.mkdir(mode=0o777)
            made.append(f)
    except BaseException:
        for f in reversed(made):
            with suppress(OSError):
                f.rmdir()
        raise
    return made


def _open_marker(folder: Path, command: str) -> int:
    """The new report's manifest, saying "writing", created and locked: the lock tells other
    writers that this folder's process is alive, whatever its pid looks like from theirs.

    It is made under a private name, locked, and only then renamed into place (the same file,
    still locked), so a clean-up never finds it at MARKER unlocked while this run lives. The
    lock waits: another run's clean-up may be probing it for an instant."""
    private = folder / NEW_MARKER
    fd = os.open(private, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, report_manifest.encode(command, None))
        os.rename(private, folder / MARKER)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def _locked(target: Path) -> Iterator[None]:
    lock = target.parent / f".{target.name}.lock"
    try:
        with folder_swap.locked(lock, LOCK_TIMEOUT):
            yield
    except folder_swap.LockBusy:
        raise OutputFailed(f"cannot write to {target}: another run has held its lock ({lock.name}) for over "
                           f"{LOCK_TIMEOUT:.0f} s; wait for it to finish, or stop it, then run again. Nothing "
                           "there was changed") from None
    except folder_swap.NotALockFile:
        raise OutputRefused(f"--out {target}: {lock} is not a plain file, and this tool uses that name as a "
                            "lock file; it is left as it is: move it away or choose another --out") from None


def _carry_over(current: _Current, new: Path) -> None:
    """Put each of the user's files in DIR into the new report (a hard link: the same file,
    no copy; a copy where links are not allowed); folders with their contents, links as links."""
    if not current.others:
        return
    assert current.folder is not None                   # files of the user's are in a folder
    for name in current.others:
        src, dst = current.folder / name, new / name
        mode = os.lstat(src).st_mode
        if stat.S_ISLNK(mode):
            os.symlink(os.readlink(src), dst)
        elif stat.S_ISDIR(mode):
            shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(src, dst)


def _link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _swap(new: Path, target: Path, current: _Current) -> Path | None:
    """Publish `new` as `target`; where the previous `target` now is (None if there was none)."""
    if current.kind == "absent":
        folder_swap.move_new(new, target)
        return None
    return folder_swap.exchange(new, target, _sibling(target, "old"))


# -- signals and messages -------------------------------------------------------------------

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


@contextmanager
def _signals_deferred():
    """Hold Ctrl-C and SIGTERM during the swap and clean-up (a few milliseconds), and act on
    them after: an interruption between the swap and its bookkeeping would leave the
    previous report where the failure path would take it for the new one."""
    got: list[int] = []
    previous = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda signum, frame: got.append(signum))
    except ValueError:       # not in the main thread: Python delivers no signals here anyway
        pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if got:
            signal.raise_signal(got[0])


def _tell(target: Path, carried: list[str], kept: Path | None) -> None:
    if carried:
        print(f"note: {target}: kept {len(carried)} file{'s' if len(carried) > 1 else ''} of yours that the report "
              f"does not list, now in the new report: {_names(carried)}", file=sys.stderr)
    if kept is not None:
        print(f"note: {target}: files of yours found in the previous report as it was replaced are in {kept}",
              file=sys.stderr)


def _os_message(target: Path, exc: OSError) -> str:
    why = {errno.EACCES: "permission denied", errno.EPERM: "operation not permitted",
           errno.ENOSPC: "no space left on the device", errno.EROFS: "read-only file system",
           errno.ENAMETOOLONG: "a name in the path is too long", errno.EDQUOT: "disk quota exceeded",
           errno.ENOTDIR: "a part of the path is a file, not a folder",
           errno.EBUSY: "the folder is in use (a mount point?)"}.get(exc.errno or 0, exc.strerror or str(exc))
    where = exc.filename or target
    return (f"cannot write to {target}: {why} ({where}); nothing there was changed: choose another --out "
            "or free the space")


def text_writer(text: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")
    return write
