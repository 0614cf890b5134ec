"""Removing previous reports, and what killed runs left, file by file and never through a link.

A previous report is removed by its manifest: the files it lists that still hold what the
tool wrote, and the user's files already carried into the new report (the same file, or an
equal copy). Anything else is the user's: if some is left, the folder is renamed
`DIR.kept-<time>` beside the report, and nothing is deleted.

What killed runs leave beside `DIR` (called with the writers' lock held):
`.DIR.new-<pid>-<hex>` (a report being written, or the previous one after a swap),
`.DIR.old-<pid>-<hex>` (the previous one, set aside by the fallback swap) and the older
layout's `.DIR.link-<pid>` links. A folder whose manifest some process holds locked, or
whose pid runs, is left alone; links and files at those names are removed, never followed.
A killed writer's private manifest (`NEW_MARKER`, before its rename into place) is removed.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import time
from contextlib import suppress
from pathlib import Path

from model.reporting import folder_swap, report_manifest
from model.reporting.report_manifest import MARKER, NEW_MARKER, Manifest, ManifestUnreadable


def retire(target: Path, kind: str, folder: Path | None, manifest: Manifest | None, old: Path | None) -> Path | None:
    """Remove the previous report, now at `old` after the swap, file by file (`kind`, `folder`
    and `manifest`: what `target` was, as report_directory found it). Returns the folder of
    what could not be removed safely, if any. A failure here leaves the previous report for
    the next run's `clean_stale`."""
    if old is None:
        return None
    try:
        if kind != "link":
            return _discard(old, manifest, target)
        if stat.S_ISLNK(os.lstat(old).st_mode):
            text = os.readlink(old)
            os.unlink(old)
            if not _linked_elsewhere(target.parent, text):
                assert folder is not None               # the older layout's link names its version folder
                kept = _discard(folder, manifest, target)
                _tidy_versions(folder.parent)
                return kept
    except OSError:
        pass
    return None


def _discard(folder: Path, manifest: Manifest | None, published: Path) -> Path | None:
    """Remove from `folder` what the tool wrote (listed, unchanged) and what is already in the
    published report `published` (the user's files carried there), then the folder. If
    anything else is left, the folder is renamed `<DIR>.kept-<time>` beside the report
    (returned) so that it is seen and nothing of the user's is lost."""
    left = []
    for name in os.listdir(folder):
        if name == MARKER:
            continue
        path = folder / name
        if manifest is not None and manifest.owns(name) and not stat.S_ISDIR(os.lstat(path).st_mode) \
                and not manifest.changed_one(folder, name):
            path.unlink()
        elif _same(path, published / name):
            _remove(path)
        else:
            left.append(name)
    (folder / MARKER).unlink(missing_ok=True)
    if not left:
        with suppress(OSError):
            folder.rmdir()
            return None
    kept = kept_name(published)
    os.rename(folder, kept)
    return kept


def _same(a: Path, b: Path) -> bool:
    """Whether `b` holds what `a` does: the same file (a hard link), an equal copy, the same
    link text, or folders whose entries are all the same. Links are never followed."""
    try:
        sa, sb = os.lstat(a), os.lstat(b)
    except OSError:
        return False
    if stat.S_IFMT(sa.st_mode) != stat.S_IFMT(sb.st_mode):
        return False
    if stat.S_ISLNK(sa.st_mode):
        return os.readlink(a) == os.readlink(b)
    if stat.S_ISDIR(sa.st_mode):
        names = sorted(os.listdir(a))
        return names == sorted(os.listdir(b)) and all(_same(a / n, b / n) for n in names)
    if (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino):
        return True
    if stat.S_ISREG(sa.st_mode) and sa.st_size == sb.st_size:
        return report_manifest.digest(a) == report_manifest.digest(b)
    return False


def _remove(path: Path) -> None:
    """Remove a file, a link (never what it points to) or a folder with its contents (rmtree does not follow links)."""
    if stat.S_ISDIR(os.lstat(path).st_mode):
        shutil.rmtree(path)
    else:
        path.unlink()


def kept_name(target: Path) -> Path:
    """A free, visible name beside `target` for files of the user's that had to be set aside."""
    parent, name = target.parent, f"{target.name}.kept-{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = parent / name, 1
    while os.path.lexists(path):
        n += 1
        path = parent / f"{name}-{n}"
    return path


# -- what killed runs and older layouts left ---------------------------------------------

_LEFTOVER = re.compile(r"(new|old|link)-(\d+)(?:-[0-9a-f]+)?")
_OLD_VERSION = re.compile(r"(?:\d{8}-\d{6}-\d{9}|previous)-(\d+)")


def clean_stale(target: Path) -> None:
    """Remove what killed runs left beside `target` (called with the lock held): hidden
    folders being written (`.DIR.new-*`), previous reports not yet removed (`.DIR.new-*`
    after a swap, `.DIR.old-*`), and links of the older layout (`.DIR.link-*`). A folder
    whose process is alive, or whose manifest some process holds locked, is left alone."""
    prefix = f".{target.name}."
    found = [(m.group(1) != "old", entry, m) for entry in os.listdir(target.parent) if entry.startswith(prefix)
             and (m := _LEFTOVER.fullmatch(entry[len(prefix):]))]
    for _, entry, match in sorted(found):     # a previous report set aside goes back first: the rest compare with it
        with suppress(OSError):
            _clean_one(target, target.parent / entry, match.group(1), int(match.group(2)))


def _clean_one(target: Path, path: Path, kind: str, pid: int) -> None:
    """A folder whose manifest was readable, and is not locked after that read, is stale
    whatever its pid says: a writer's manifest reaches its name already locked (see
    report_directory._open_marker), and stays locked until the writer has finished. The
    order matters: testing the lock first and reading after would let a writer lock and
    finish its manifest in between, and its live folder would look like a killed run's.
    Without a manifest, the pid in the name must be gone."""
    if pid == os.getpid():
        return
    if not stat.S_ISDIR(os.lstat(path).st_mode):      # a link or a file: removing it follows nothing
        if not _alive(pid):
            path.unlink()
        return
    try:
        found = report_manifest.read(path)
    except ManifestUnreadable:
        found = None
    if folder_swap.is_locked(path / MARKER) or folder_swap.is_locked(path / NEW_MARKER):
        return
    if found is None:                                  # killed between making the folder and its manifest
        if _alive(pid):
            return
        with suppress(FileNotFoundError):
            (path / NEW_MARKER).unlink()               # a killed writer's private manifest: the tool's own
        if os.listdir(path):
            os.rename(path, kept_name(target))
        else:
            path.rmdir()
    elif found.writing:                                # only the tool writes into a folder being written
        shutil.rmtree(path)
    elif kind == "old" and not os.path.lexists(target):
        os.rename(path, target)                        # cut between the fallback's two renames: put it back
    else:
        _discard(path, found, target)


def _alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, killed and not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:          # exists, owned by someone else
        pass
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _linked_elsewhere(parent: Path, text: str) -> bool:
    """Whether another link in `parent` points where the older layout's DIR did (a report
    the user renamed or copied as a link): then that version is kept."""
    for entry in os.scandir(parent):
        with suppress(OSError):
            if entry.is_symlink() and os.readlink(entry.path) == text:
                return True
    return False


def _tidy_versions(versions: Path) -> None:
    """In the older layout's versions folder, remove half-written versions of killed runs
    (no manifest, dead pid), then the folder if empty. Complete versions stay: a link the
    user kept may point to one."""
    for entry in os.listdir(versions):
        match = _OLD_VERSION.fullmatch(entry)
        path = versions / entry
        with suppress(OSError):
            if match and not _alive(int(match.group(1))) and stat.S_ISDIR(os.lstat(path).st_mode) \
                    and not os.path.lexists(path / MARKER):
                shutil.rmtree(path)
    with suppress(OSError):
        versions.rmdir()
