"""Writing a report directory atomically: all files or none, the previous one kept on failure.

Files are written into a temporary sibling directory, which replaces the target only
once everything is written. A failure or an interrupt (SIGINT, SIGTERM) while writing
leaves the previous report directory as it was.
"""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable


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


def write_directory(target: str | Path, files: dict[str, Callable[[Path], None]]) -> Path:
    """Write each `name -> writer(path)` into `target`, replacing it atomically."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    old = None
    try:
        with _signals_as_exceptions():
            for name, writer in files.items():
                writer(tmp / name)
            if target.exists():
                old = target.with_name(f".{target.name}.old-{os.getpid()}")
                target.rename(old)
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not target.exists():
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def text_writer(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")
