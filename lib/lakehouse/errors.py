"""The base of every error that is the user's to fix: the command line prints its message in one line."""


class UserError(Exception):
    """Something the user can fix; the message says what was wrong and how to fix it."""


class JobError(RuntimeError):
    """A job cannot go on; nothing of the run is committed and the message says why."""


class SparkExited(RuntimeError):
    """Spark's JVM exited during a command (out of memory, killed); the message says what to do."""
