"""Putting a finished folder in place of another in one step, and a lock for the writers of one path.

`exchange` swaps two names with Linux's renameat2(RENAME_EXCHANGE) (through glibc, with
ctypes): both names exist at every moment, so a reader, or a process killed at any
instruction, sees either the old folder or the new one. Where the kernel, the file system
or the C library lacks it (EINVAL, ENOSYS, EOPNOTSUPP; other systems), the fallback
renames the old folder aside and the new one in: between those two renames the name is
briefly absent (the report directory's next run puts the folder aside back if a run is
killed there).

`locked` holds an advisory lock (flock) on a small lock file beside the folder, so that
two writers never interleave their swaps and clean-ups. The lock file is removed when the
lock is released; a writer that finds the file replaced or removed after it got the lock
starts again, so removing it is safe.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_UNSUPPORTED = (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP)


def _load_renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2     # glibc 2.28 and later
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    call.restype = ctypes.c_int
    return call


_RENAMEAT2 = _load_renameat2()


def _renameat2(src: Path, dst: Path, flags: int) -> bool:
    """True when done; False when this system cannot do it; OSError for anything else."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(src), None, str(dst))


def move_new(new: Path, target: Path) -> None:
    """Rename `new` to `target`, which does not exist (EEXIST if it has appeared meanwhile,
    where the system can tell; an empty folder made meanwhile may be replaced otherwise)."""
    if not _renameat2(new, target, _RENAME_NOREPLACE):
        os.rename(new, target)


def exchange(new: Path, target: Path, aside: Path) -> Path:
    """Put `new` at `target`, which exists; return where the previous `target` now is:
    `new`'s old name after an atomic exchange, `aside` after the fallback."""
    if _renameat2(new, target, _RENAME_EXCHANGE):
        return new
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(aside, target)
        raise
    return aside


class LockBusy(Exception):
    """Another process held the lock for longer than the wait allowed."""


class NotALockFile(Exception):
    """The lock file's name is taken by something else (a link, a folder, a device)."""


@contextmanager
def locked(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive flock on the lock file `path` (created if missing, removed on
    release). LockBusy after `timeout` seconds of waiting; NotALockFile if `path` is not a
    plain file (a link there is never followed)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                raise NotALockFile(str(path)) from None
            raise
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise NotALockFile(str(path))
            _wait(fd, deadline, path)
            if _same_file(fd, path):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)              # removed or replaced while we waited: lock the file that is there now
    try:
        yield
    finally:
        with suppress(OSError):
            if _same_file(fd, path):
                os.unlink(path)
        os.close(fd)


def _wait(fd: int, deadline: float, path: Path) -> None:
    pause = 0.002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise LockBusy(str(path)) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.05)


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def is_locked(path: Path) -> bool:
    """Whether some process holds a flock on the file `path` (False if it does not exist)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)              # closing releases a lock taken here
    return False
