"""The package's own source files: what the results cache keys on and what Dask workers receive."""
from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent


def source_files() -> list[Path]:
    """Every module of the package, sub-packages included, in a stable order."""
    return sorted(p for p in PACKAGE_ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def code_version() -> str:
    """A hash of every module's path and text: cached results are reused only by the same code."""
    h = hashlib.sha256()
    for path in source_files():
        h.update(path.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]
