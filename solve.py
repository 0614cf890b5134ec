#!/usr/bin/env python3
"""Command line for the trade-negotiation model: `python solve.py run|validate FILE`.

See README.md, or `python solve.py --help`.
"""
import signal
import sys

if __name__ == "__main__":
    if hasattr(signal, "pthread_sigmask"):     # Ctrl-C held back until start() can make it exit 130
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    from model.start import start
    sys.exit(start())
