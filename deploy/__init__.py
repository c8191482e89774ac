"""Build, upload and create/update every AWS resource of one environment, idempotently."""
