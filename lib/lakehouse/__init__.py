"""lakehouse: a bronze/silver/gold lake of GitHub's public events on AWS Glue, or on one laptop."""

__version__ = "0.1.0"
