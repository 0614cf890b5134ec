"""Starting the command line: the environment checked, and the heavy libraries loaded, with
plain messages instead of tracebacks. Standard library only, so that this module itself
loads wherever Python does.

What goes wrong before a command can run, and what is said (nothing is written then):
- too little memory: an address-space limit (`ulimit -v`) below MIN_ADDRESS_SPACE is
  refused up front (below it numpy's OpenBLAS may print its own line and exit, beyond our
  reach); running out while the libraries load (a MemoryError, or a library that cannot
  be mapped) is exit 1 with a message;
- Ctrl-C while the libraries load (the first second or so): held back until they have
  loaded (`interrupt_deferred`), then exit 130, "interrupted" (before this module runs, in
  Python's own start, the interrupt is Python's to report);
- a library that cannot be loaded: HiGHS (`highspy`) is exit 6; any other is exit 1,
  naming it and what to do.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager

MIN_ADDRESS_SPACE = 512 * 2**20     # bytes: numpy, pandas, Pyomo and HiGHS need about 400 MB of address space
EXIT_ERROR, EXIT_NO_SOLVER, EXIT_INTERRUPTED = 1, 6, 130
MEMORY_SIGNS = ("failed to map segment", "cannot allocate memory", "out of memory", "memory allocation")


def start(argv: list[str] | None = None) -> int:
    """`solve.py`: check the environment, load the command line, run it."""
    try:
        # One BLAS thread: nothing here multiplies large matrices, and each OpenBLAS thread
        # reserves its own buffer (a 64-core server would reserve 64 at start-up).
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        short = _address_space_short()
        if short:
            return _fail(EXIT_ERROR, short)
        with interrupt_deferred():
            from model.cli import main
        if hasattr(signal, "pthread_sigmask"):    # solve.py held Ctrl-C back from its first line
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    except KeyboardInterrupt:
        return _fail(EXIT_INTERRUPTED, "interrupted: no output was changed")
    except MemoryError:
        return _fail(EXIT_ERROR, memory_message())
    except ImportError as exc:
        return _fail(*import_failure(exc))
    try:
        return main(argv)
    except KeyboardInterrupt:       # between the command's own handlers and the exit
        return _fail(EXIT_INTERRUPTED, "interrupted: no output was changed")


@contextmanager
def interrupt_deferred():
    """Ctrl-C held back while libraries load, and delivered when they have: a KeyboardInterrupt
    inside an import can surface as another error (pydantic wraps it in a SchemaError) or
    leave a module half loaded. Held back with the signal mask, so the interrupt is raised
    in our code just after, where it is exit 130."""
    block = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if block:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if block:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def import_failure(exc: ImportError) -> tuple[int, str]:
    """(exit code, message) for a library that could not be loaded."""
    name = exc.name or "a library"
    chain = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 5:
        chain.append(str(e))
        e = e.__cause__ or e.__context__
    text = " ".join(chain).lower()
    if "highspy" in (exc.name or "") or "highspy" in text or "highs" in (exc.name or ""):
        return EXIT_NO_SOLVER, (f"error: HiGHS cannot be loaded ({_first_line(exc)}): install the 'highspy' package "
                                "(pip install highspy, or `make venv`). No output was changed.")
    if any(sign in text for sign in MEMORY_SIGNS):
        return EXIT_ERROR, memory_message()
    return EXIT_ERROR, (f"error: the library {name} cannot be loaded ({_first_line(exc)}); the environment may be "
                        "incomplete: run `make venv` (or install the packages in pyproject.toml). No output was changed.")


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:300]


def memory_message() -> str:
    return ("error: not enough memory to start (the libraries could not be loaded); free some memory or raise the "
            f"limit (`ulimit -v`: at least {MIN_ADDRESS_SPACE // 2**20} MB). No output was changed.")


def _address_space_short() -> str:
    """A message when the address-space limit is below MIN_ADDRESS_SPACE, else ''."""
    try:
        import resource
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError, AttributeError):      # not a POSIX system
        return ""
    if soft == resource.RLIM_INFINITY or soft >= MIN_ADDRESS_SPACE:
        return ""
    return (f"error: not enough memory to start: the address-space limit (`ulimit -v`) is {soft // 2**20} MB, and "
            f"this tool needs at least {MIN_ADDRESS_SPACE // 2**20} MB (more for large instances: see "
            "docs/reliability.md). No output was changed.")


def _fail(code: int, message: str) -> int:
    try:
        print(message, file=sys.stderr)
    except (OSError, ValueError, AttributeError):     # no usable stderr: the exit code says it
        pass
    return code
