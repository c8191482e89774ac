"""Glue entry script of the publish_dashboard job (its ScriptLocation): the day's dashboard page into gold."""

import sys

from lakehouse.dashboard.glue_job import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
