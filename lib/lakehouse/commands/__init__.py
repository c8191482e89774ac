"""The implementations of the `lakehouse` commands (imported lazily by the parser)."""
