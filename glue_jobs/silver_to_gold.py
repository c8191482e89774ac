"""Glue entry script of the silver_to_gold job (its ScriptLocation): parse options, build the runtime, run once."""

import sys

from lakehouse.jobs.entry import main

if __name__ == "__main__":
    sys.exit(main("silver_to_gold", sys.argv))
