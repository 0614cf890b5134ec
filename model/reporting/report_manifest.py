"""A report folder's manifest: which files in it this tool wrote, and their content.

The manifest is the hidden file `MARKER` inside the folder, JSON:

    {"tool": "trade-negotiation-model", "command": "run", "written": "2025-...",
     "files": {"results.json": {"bytes": 1234, "sha256": "..."}, ...}}

Ownership is decided per file: a file the manifest lists, with the content it lists, is
the tool's to replace; anything else in the folder (a note saved there, a file edited since)
is the user's. While a report is being written its manifest says `"writing": true` and
lists no files yet. Reports written before file hashes existed have a manifest without
`files`; for those, the file names this tool writes (`KNOWN_NAMES`, and the `.svg` charts)
are taken as its own.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

MARKER = ".trade-negotiation-report"
# A writer creates its manifest under this private name, locks it, and only then renames it
# to MARKER: another process never sees a live writer's manifest at MARKER unlocked.
NEW_MARKER = MARKER + ".new"
TOOL = "trade-negotiation-model"
MAX_MANIFEST_BYTES = 1_000_000        # a manifest lists a few dozen files: anything larger is not one

# The names of the files the commands write (charts aside: `<name>.svg`). Used to read reports
# written before the manifest listed its files, and to refuse, before solving, a folder where
# a file someone else wrote has the name a new report would give one of its own.
KNOWN_NAMES = frozenset({
    "results.json", "report.md", "report.html", "results.xlsx", "timings.json", "levers.csv", "metrics.csv",
    "constraints.csv", "concession_values.csv", "frontier.csv", "sweep.csv", "sweep_summary.json",
    "comparison.csv", "comparison.md", "comparison.html", "comparison.xlsx", "alternatives.json", "packages.csv",
    "evaluation.json", "offer_levers.csv", "brief.html"})


class ManifestUnreadable(Exception):
    """The folder has a MARKER file that is not a manifest of this tool (the text says why)."""


@dataclass(frozen=True)
class Manifest:
    command: str
    files: dict[str, dict] | None     # name -> {"bytes", "sha256"}; None in reports from before hashes
    writing: bool = False             # a report being written (or whose writer was killed)

    def owns(self, name: str) -> bool:
        """Whether `name` is a file this tool wrote (its content aside: see `changed`)."""
        if self.files is None:
            return name in KNOWN_NAMES or name.endswith(".svg")
        return name in self.files

    def changed(self, folder: Path) -> list[str]:
        """The listed files in `folder` whose content is no longer what the tool wrote (a
        listed file that is missing is not changed: there is nothing to lose)."""
        return [name for name in (self.files or {}) if self.changed_one(folder, name)]

    def changed_one(self, folder: Path, name: str) -> bool:
        """Whether the listed file `name` in `folder` differs from what the tool wrote (a link
        or a folder in its place does; in a report from before hashes, nothing can be told)."""
        if self.files is None:
            return False
        meta = self.files[name]
        try:
            now = digest(folder / name, expect_bytes=meta["bytes"])
        except FileNotFoundError:
            return False
        except OSError:
            return True
        return (now["bytes"], now["sha256"]) != (meta["bytes"], meta["sha256"])


def digest(path: Path, expect_bytes: int | None = None) -> dict:
    """{"bytes", "sha256"} of the regular file `path` (never through a link: a link or a
    folder raises OSError). When `expect_bytes` is given and the size differs, the hash is
    not computed (the sizes already tell the files apart)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with open(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise IsADirectoryError(f"{path} is not a regular file")
        if expect_bytes is not None and st.st_size != expect_bytes:
            return {"bytes": st.st_size, "sha256": ""}
        h = hashlib.sha256()
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return {"bytes": st.st_size, "sha256": h.hexdigest()}


def read(folder: Path) -> Manifest | None:
    """The manifest of `folder`, None when it has none; ManifestUnreadable when its MARKER
    is something else (not a regular file, too large, not this tool's JSON)."""
    path = folder / MARKER
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ManifestUnreadable(f"{MARKER} cannot be opened ({exc.strerror})") from None
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise ManifestUnreadable(f"{MARKER} is not a regular file")
        raw = fh.read(MAX_MANIFEST_BYTES + 1)
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestUnreadable(f"{MARKER} is larger than a manifest can be")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ManifestUnreadable(f"{MARKER} is not valid JSON") from None
    if not isinstance(data, dict) or data.get("tool") != TOOL:
        raise ManifestUnreadable(f"{MARKER} does not name this tool")
    files = data.get("files")
    if files is not None and not _valid_files(files):
        raise ManifestUnreadable(f"{MARKER} lists files in a form this tool does not write")
    return Manifest(command=str(data.get("command", "")), files=files, writing=data.get("writing") is True)


def _valid_files(files) -> bool:
    """Plain names (never a path: a manifest must not be able to name a file elsewhere) with a size and hash."""
    return isinstance(files, dict) and all(
        isinstance(name, str) and name not in ("", ".", "..", MARKER) and "/" not in name and "\0" not in name
        and isinstance(meta, dict) and isinstance(meta.get("bytes"), int) and isinstance(meta.get("sha256"), str)
        for name, meta in files.items())


def encode(command: str, files: dict[str, dict] | None) -> bytes:
    """The manifest's bytes: `files` None while the report is being written."""
    data: dict[str, object] = {"tool": TOOL, "command": command, "written": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if files is None:
        data["writing"] = True
        data["pid"] = os.getpid()
    else:
        data["files"] = {name: files[name] for name in sorted(files)}
    return (json.dumps(data, indent=1) + "\n").encode("utf-8")
