#!/usr/bin/env python3
"""Command line for the trade-negotiation model: `python solve.py run|validate FILE`.

See README.md, or `python solve.py --help`.
"""
import sys

if __name__ == "__main__":
    from model.start import start
    sys.exit(start())
