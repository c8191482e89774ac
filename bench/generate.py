"""Scale data: N bronze events resampled from the real GH Archive hours bundled in the repository.

Each event is a real line with its `id` and top-level `created_at` values replaced in the JSON text
(no re-serialising, so payloads and the event type mix stay exactly as GitHub wrote them). Repositories
and actors keep the real heavy-tailed distribution: a line is drawn uniformly from the real hours, and
its repository name and actor login get a "world" suffix drawn from a Zipf law over N / 10,000 worlds,
so popular repositories stay popular while the number of distinct ones grows with N. Deterministic for
a seed. One gzip object per hour, written by the bronze writer, named the way the backfill names an archived
hour.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from lakehouse.ingest.bronze_writer import BronzeWriter
from lakehouse.layout import object_key, object_name
from lakehouse.settings import Settings
from lakehouse.storage import LocalStore

SOURCES = Path(__file__).resolve().parents[1] / "data" / "github-events" / "gharchive"
START = datetime(2015, 1, 1, tzinfo=UTC)
FIRST_ID = 90_000_000_000
EVENTS_PER_WORLD = 10_000
ZIPF_S = 1.1


@dataclass(frozen=True)
class Template:
    """A real line cut around the values the generator replaces: id, repo name, actor login, created_at."""

    parts: tuple[bytes, bytes, bytes, bytes, bytes]

    @classmethod
    def of(cls, line: bytes) -> Template:
        id_start = line.index(b'"id":"') + 6
        id_end = line.index(b'"', id_start)
        login_end = line.index(b'"', line.index(b'"login":"', line.index(b'"actor":{')) + 9)
        name_end = line.index(b'"', line.index(b'"name":"', line.index(b'"repo":{')) + 8)
        at_start = line.rindex(b'"created_at":"') + 14
        at_end = line.index(b'"', at_start)
        cuts = (line[:id_start], line[id_end:login_end], line[login_end:name_end], line[name_end:at_start],
                line[at_end:])
        return cls(cuts)

    def render(self, event_id: int, world: int, created_at: bytes) -> bytes:
        head, to_login, to_name, to_created, tail = self.parts
        suffix = b"" if world == 0 else b"-w%d" % world
        return b"".join((head, b"%d" % event_id, to_login, suffix, to_name, suffix, to_created, created_at, tail))


def real_lines(folder: Path = SOURCES) -> list[bytes]:
    """Every line of the bundled GH Archive hours (gzip JSON lines), in file order."""
    lines: list[bytes] = []
    for path in sorted(folder.glob("*.json.gz")):
        lines.extend(line for line in gzip.decompress(path.read_bytes()).split(b"\n") if line)
    return lines


@dataclass(frozen=True)
class HourSpec:
    """One bronze object to write: `count` events of one hour, ids from `first_id`."""

    hour: datetime
    first_id: int
    count: int
    worlds: int
    seed: int


def split_hours(events: int, hours: int, start: datetime, seed: int, first_id: int = FIRST_ID) -> list[HourSpec]:
    """N events spread evenly over consecutive hours (the first hours take the remainder)."""
    worlds = max(1, events // EVENTS_PER_WORLD)
    base, extra = divmod(events, hours)
    specs, first = [], first_id
    for n in range(hours):
        count = base + (1 if n < extra else 0)
        specs.append(HourSpec(start + timedelta(hours=n), first, count, worlds, seed * 100_003 + n))
        first += count
    return specs


def hour_unique(hour: datetime, tag: str = "bench") -> str:
    """The unique part of a generated hour's object name, like a backfilled archive hour's."""
    return f"{tag}-{hour:%Y-%m-%d}-{hour.hour}"


def hour_key(hour: datetime, tag: str = "bench") -> str:
    """The bronze key of a generated hour."""
    return object_key(hour.date(), object_name(hour, hour_unique(hour, tag)))


def render_hour(spec: HourSpec, templates: Sequence[Template]) -> bytes:
    """The JSON lines of one hour: created_at spread evenly over its 3,600 seconds."""
    rng = random.Random(spec.seed)
    picks = rng.choices(range(len(templates)), k=spec.count)
    weights = list(accumulate(1 / (k + 1) ** ZIPF_S for k in range(spec.worlds)))
    worlds = rng.choices(range(spec.worlds), cum_weights=weights, k=spec.count)
    out = []
    for n in range(spec.count):
        second = spec.hour + timedelta(seconds=n * 3600 // max(spec.count, 1))
        stamp = second.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        out.append(templates[picks[n]].render(spec.first_id + n, worlds[n], stamp))
        out.append(b"\n")
    return b"".join(out)


_TEMPLATES: list[Template] = []


def _write(args: tuple[HourSpec, str, str]) -> tuple[str, int]:
    spec, raw_root, tag = args
    if not _TEMPLATES:
        _TEMPLATES.extend(Template.of(line) for line in real_lines())
    raw = render_hour(spec, _TEMPLATES)
    written = BronzeWriter(LocalStore(Path(raw_root))).write([raw], spec.hour, hour_unique(spec.hour, tag))
    return str(Path(raw_root) / written.key), len(raw)


def generate(settings: Settings, events: int, hours: int, start: datetime = START, seed: int = 1,
             tag: str = "bench", workers: int = 2, first_id: int = FIRST_ID) -> tuple[list[Path], int]:
    """Write N events over `hours` hours into the raw bucket of a local root; (objects, raw JSON bytes).

    Ids run from `first_id`: a later call continues a history with `first_id` = FIRST_ID + events so far.
    """
    specs = split_hours(events, hours, start, seed, first_id)
    jobs = [(spec, settings.uri("raw"), tag) for spec in specs if spec.count]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        written = list(pool.map(_write, jobs))
    return [Path(p) for p, _ in written], sum(n for _, n in written)
