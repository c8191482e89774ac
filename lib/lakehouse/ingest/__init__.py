"""Getting events into bronze: files, the GitHub Events API, GH Archive. Imports no pyspark."""
