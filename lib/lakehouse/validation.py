"""Quarantine reasons: why a raw line cannot become a silver row, as short codes (DESIGN.md)."""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

from lakehouse.functions import is_blank
from lakehouse.schemas import EVENT_TEXT_SCHEMA, JSON_OPTIONS, NESTED_TEXT_SCHEMA

MALFORMED_JSON = "malformed_json"
NOT_AN_OBJECT = "not_an_object"
BAD_TIMESTAMP = "bad_timestamp"
CORRUPT_OBJECT = "corrupt_object"
LINE_TOO_LARGE = "line_too_large"
# Internal only, never written: a line that needs the JSON diagnostics of `quarantine_reason`.
DIAGNOSE = "_diagnose"


def missing(field: str) -> str:
    return f"missing:{field}"


def bad_type(field: str) -> str:
    return f"bad_type:{field}"


# Fields a silver row cannot do without, in the order they are checked: absent, null, empty or only
# whitespace is `missing:<field>` (a blank id would otherwise make every other blank id its duplicate).
REQUIRED = ("id", "type", "created_at", "actor.login", "repo.name")
# Every typed field, top-level structs first, in the order a wrong type is reported.
TYPED = (
    "id",
    "type",
    "actor",
    "repo",
    "org",
    "payload",
    "public",
    "created_at",
    "actor.id",
    "actor.login",
    "repo.id",
    "repo.name",
    "org.login",
    "payload.pull_request",
)



def _typed(event: Column, path: str) -> Column:
    parent, _, child = path.partition(".")
    return event[parent][child] if child else event[parent]


def _as_text(value: Column, path: str) -> Column:
    """The JSON text of a field as written in the line (null when absent or null)."""
    text = F.from_json(value, EVENT_TEXT_SCHEMA, JSON_OPTIONS)
    parent, _, child = path.partition(".")
    if not child:
        return text[parent]
    return F.from_json(text[parent], NESTED_TEXT_SCHEMA, JSON_OPTIONS)[child]


def _first_bad_type(value: Column, event: Column) -> Column:
    """`bad_type:<field>` for the first field whose JSON value does not fit its type, else malformed."""
    reason = F.lit(MALFORMED_JSON)
    for path in reversed(TYPED):
        does_not_fit = _typed(event, path).isNull() & _as_text(value, path).isNotNull()
        reason = F.when(does_not_fit, F.lit(bad_type(path))).otherwise(reason)
    return reason


def _is_json_value(value: Column) -> Column:
    """True when the line is one JSON value of any kind (an array, a string, a number, null)."""
    wrapped = F.from_json(
        F.concat(F.lit('{"v":'), value, F.lit("}")), "v string, _corrupt_record string", JSON_OPTIONS
    )
    return wrapped.isNotNull() & wrapped["_corrupt_record"].isNull()


def _ends_like_object(value: Column) -> Column:
    """True when the line ends with `}` and maybe whitespace; the (slow) regex only if it does not end with `}`."""
    return value.endswith("}") | F.regexp_like(value, F.lit(r"\}\s*$"))


def _is_utf8(value: Column) -> Column:
    """True when the line's bytes are valid UTF-8: decoded (U+FFFD for each invalid sequence) and written
    back as UTF-8 by Spark, they are the same string (one decode a line, compared as bytes)."""
    return F.decode(value.cast("binary"), "UTF-8") == value


def quarantine_reason(
    value: Column, event: Column, created_at: Column, max_line_bytes: int, check_utf8: bool = True,
    diagnose: bool = True,
) -> Column:
    """The reason a parsed line is quarantined, or null when it is a valid event.

    `event` is from_json(value, EVENT_SCHEMA) and `created_at` the parsed timestamp. With
    `diagnose=False` a line that needs the JSON diagnostics (is it an object, which field has a wrong
    type) gets DIAGNOSE instead: holding no JSON parsing of its own, that judgement compiles with the
    rest of the row (whole-stage codegen, which a JSON expression turns off for its whole projection),
    and the exact reason of the few DIAGNOSE lines is found after. `check_utf8=False` is for lines
    known to be UTF-8. The tests that run on every line are byte comparisons where they can be: a line
    that starts with `{` looks like an object without the regex (which decodes the whole line).
    """
    looks_like_object = value.startswith("{") | F.regexp_like(value, F.lit(r"^\s*\{"))
    unparsed = event.isNull() | event["_corrupt_record"].isNotNull()
    reason = F.when(F.octet_length(value) > max_line_bytes, F.lit(LINE_TOO_LARGE))
    if check_utf8:  # JSON text is UTF-8 (RFC 8259, section 8.1)
        reason = reason.when(~_is_utf8(value), F.lit(MALFORMED_JSON))
    if diagnose:  # CASE evaluates its branches lazily: these run only for lines that already failed
        reason = (
            reason.when(~looks_like_object & _is_json_value(value), F.lit(NOT_AN_OBJECT))
            .when(~looks_like_object | ~_ends_like_object(value), F.lit(MALFORMED_JSON))
            .when(unparsed, _first_bad_type(value, event))
        )
    else:
        reason = reason.when(~looks_like_object | ~_ends_like_object(value) | unparsed, F.lit(DIAGNOSE))
    for path in REQUIRED:
        reason = reason.when(is_blank(_typed(event, path)), F.lit(missing(path)))
    return reason.when(created_at.isNull(), F.lit(BAD_TIMESTAMP))
