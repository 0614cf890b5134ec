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

from model.environment import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    address_space_short,
    import_failure,
    interrupt_deferred,
    memory_message,
)


def start(argv: list[str] | None = None) -> int:
    """`solve.py`: check the environment, load the command line, run it."""
    try:
        # One BLAS thread: nothing here multiplies large matrices, and each OpenBLAS thread
        # reserves its own buffer (a 64-core server would reserve 64 at start-up).
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        short = address_space_short()
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


def _fail(code: int, message: str) -> int:
    try:
        print(message, file=sys.stderr)
    except (OSError, ValueError, AttributeError):     # no usable stderr: the exit code says it
        pass
    return code
