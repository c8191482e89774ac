"""The ingestion Lambda: its handler (handler.py, the zip's entry point) and its packaging (package.py)."""
