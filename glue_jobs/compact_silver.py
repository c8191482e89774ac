"""Glue entry script of the compact_silver job (its ScriptLocation): parse options, build the runtime, run once."""

import sys

from lakehouse.jobs.entry import main

if __name__ == "__main__":
    sys.exit(main("compact_silver", sys.argv))
