"""What ``declareOutputFields()`` (or ``addOutputStream``) declares, as ``StreamDef`` objects.

A list of field names is the 'default' stream; a dict maps stream ids to field lists or
to ``petrel.emitter.Stream`` objects (direct streams). Mistakes come back as problem texts
for the builder to collect.
"""

from __future__ import annotations

from typing import Any

from petrel.emitter import Stream
from petrel.topology.model import DEFAULT_STREAM, StreamDef


def parse_output_fields(declared: Any, where: str) -> tuple[dict[str, StreamDef], list[str]]:
    """Streams from what ``declareOutputFields()`` returned (list, Stream, or dict of streams)."""
    if declared is None:
        return {}, []
    if isinstance(declared, dict):
        streams: dict[str, StreamDef] = {}
        problems: list[str] = []
        for stream_id, spec in declared.items():
            if not isinstance(stream_id, str):
                problems.append(f"{where}: stream id {stream_id!r} is not a string")
                continue
            stream, problem = stream_def(spec, f"{where}: stream '{stream_id}'")
            if problem:
                problems.append(problem)
            else:
                streams[stream_id] = stream
        return streams, problems
    stream, problem = stream_def(declared, where)
    if problem:
        return {}, [problem]
    return {DEFAULT_STREAM: stream}, []


def stream_def(spec: Any, where: str) -> tuple[StreamDef, str | None]:
    """One stream from a list of field names or a ``Stream``; or a problem saying what is wrong."""
    direct = False
    if isinstance(spec, Stream):
        spec, direct = spec.fields, spec.direct
    if isinstance(spec, str):
        return StreamDef([]), (f"{where}: output fields must be a list of names, got the "
                               f"string {spec!r}; write [{spec!r}]")
    if not isinstance(spec, (list, tuple)):
        return StreamDef([]), (f"{where}: output fields must be a list of names (or "
                               f"petrel.emitter.Stream), got {type(spec).__name__}")
    bad = [f for f in spec if not isinstance(f, str) or not f]
    if bad:
        return StreamDef([]), f"{where}: field names must be non-empty strings, got {bad[0]!r}"
    seen: set[str] = set()
    for f in spec:
        if f in seen:
            return StreamDef([]), (f"{where}: field '{f}' is declared twice; "
                                   "field names must be unique")
        seen.add(f)
    return StreamDef(list(spec), bool(direct)), None
