"""A component's declared streams, its inputs' fields, and the checks made before any emit.

``Stream`` and ``OutputFields`` are what ``declareOutputFields`` returns (users import them
from ``petrel.emitter``). The checks run in the component code (``petrel.runtime.component``
and its subclasses), not in a collector, so the runtime and ``petrel.mock`` refuse exactly
the same emits: an undeclared stream, a tuple whose width differs from the declared fields,
NaN/Infinity, a value JSON cannot encode.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from petrel.runtime.protocol import encode, has_non_finite, unencodable_type

DEFAULT_STREAM = "default"

# What declareOutputFields may return: a list of fields for the 'default' stream, or a
# mapping of stream id to fields (or to a Stream, for direct streams).
OutputFields = Union[Sequence[str], Dict[str, Any]]


class Stream:
    """An output stream declaration: its fields and whether it is a direct stream."""

    def __init__(self, fields: Sequence[str], direct: bool = False) -> None:
        self.fields = list(fields)
        self.direct = bool(direct)

    def __repr__(self) -> str:
        return f"Stream({self.fields!r}, direct={self.direct!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Stream) and other.fields == self.fields
                and other.direct == self.direct)


class InvalidEmit(ValueError):
    """An emit petrel refuses before anything is sent; the message says what to fix."""


def declared_streams(component: Any) -> Dict[str, List[str]]:
    """Stream id -> fields, from the component's ``declareOutputFields()``.

    A list means the 'default' stream; a dict maps stream ids to field lists or to
    ``Stream`` objects (anything with a ``fields`` attribute).
    """
    declared = component.declareOutputFields()
    if declared is None:
        return {}
    if isinstance(declared, Mapping):
        out: Dict[str, List[str]] = {}
        for stream, spec in declared.items():
            fields: Any = getattr(spec, "fields", spec)
            out[str(stream)] = [str(f) for f in fields]
        return out
    if isinstance(declared, str):
        return {DEFAULT_STREAM: [declared]}
    return {DEFAULT_STREAM: [str(f) for f in declared]}


def output_streams(component: Any, context: Optional[Mapping[str, Any]]) -> Dict[str, List[str]]:
    """The streams this component may emit on: the topology's (handshake context) first.

    The context's ``stream->outputfields`` is what the topology holds (it includes
    streams added in create.py with ``addOutputStream``); the component's own declaration
    fills in when the context lacks it (Storm before 0.10, or the mock without context).
    """
    streams = declared_streams(component)
    from_context = (context or {}).get("stream->outputfields")
    if isinstance(from_context, Mapping):
        for stream, fields in from_context.items():
            if isinstance(fields, list):
                streams[str(stream)] = [str(f) for f in fields]
    return streams


def input_fields(context: Optional[Mapping[str, Any]]) -> Dict[str, Dict[str, List[str]]]:
    """Source component -> stream -> field names, from the context (``source->stream->fields``)."""
    found = (context or {}).get("source->stream->fields")
    out: Dict[str, Dict[str, List[str]]] = {}
    if isinstance(found, Mapping):
        for source, streams in found.items():
            if isinstance(streams, Mapping):
                out[str(source)] = {str(s): list(f) for s, f in streams.items()
                                    if isinstance(f, list)}
    return out


def _describe_streams(streams: Mapping[str, List[str]]) -> str:
    if not streams:
        return "it declares no output streams"
    return "declared: " + ", ".join(f"{s!r} {f!r}" for s, f in sorted(streams.items()))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def emit_shape_error(component_id: str, streams: Mapping[str, List[str]],
                     stream: str, values: Any) -> InvalidEmit:
    """The error for an emit on an undeclared stream or with the wrong number of values."""
    if not isinstance(stream, str):
        return InvalidEmit(f"component {component_id!r}: the stream id must be a string, "
                           f"got {type(stream).__name__} {stream!r}")
    fields = streams.get(stream)
    if fields is None:
        return InvalidEmit(
            f"component {component_id!r} emitted on stream {stream!r}, which it does not "
            f"declare ({_describe_streams(streams)}); declare it in declareOutputFields() "
            f"or with builder.addOutputStream() in create.py")
    if not isinstance(values, (list, tuple)):
        return InvalidEmit(
            f"component {component_id!r}: emit takes a list of values, got "
            f"{type(values).__name__} {_short(values)}; for one value write emit([value])")
    return InvalidEmit(
        f"component {component_id!r} emitted {len(values)} value(s) on stream {stream!r}, "
        f"which declares {len(fields)} field(s) {fields!r}: {_short(values)} (old Petrel "
        f"let this through; Storm then pairs values with the wrong field names, or refuses "
        f"the tuple when it checks them, so emit one value per declared field)")


def encode_values(component_id: str, stream: str, values: Any) -> bytes:
    """``values`` as strict JSON bytes, or InvalidEmit naming the component, stream and type."""
    try:
        return encode(values)
    except UnicodeEncodeError:
        raise InvalidEmit(
            f"component {component_id!r} emitted a string that is not valid Unicode (a lone "
            f"surrogate, e.g. from undecodable bytes) on stream {stream!r}: {_short(values)}; "
            f"decode such bytes with errors='replace' before emitting") from None
    except (TypeError, ValueError, OverflowError, RecursionError):
        pass
    if has_non_finite(values):
        raise InvalidEmit(
            f"component {component_id!r} emitted NaN or Infinity on stream {stream!r}: "
            f"{_short(values)}; JSON (and so Storm) cannot carry it (old Petrel wrote it "
            f"anyway and Storm failed to read the message), use None or a number")
    bad = unencodable_type(values) or "unknown"
    raise InvalidEmit(
        f"component {component_id!r} emitted a value of type {bad} on stream {stream!r}, "
        f"which JSON cannot encode: {_short(values)}; convert it (e.g. to str, list or dict) "
        f"before emitting")


def check_message_id(component_id: str, msg_id: Any) -> None:
    """Refuse a spout message id that JSON cannot carry unchanged."""
    try:
        encode(msg_id)
    except (TypeError, ValueError, OverflowError, RecursionError):
        kind = "NaN or Infinity" if has_non_finite(msg_id) else \
            f"a value of type {unencodable_type(msg_id) or type(msg_id).__name__}"
        raise InvalidEmit(f"spout {component_id!r}: message id {_short(msg_id)} is {kind}, "
                          f"which JSON cannot carry; use a str or int id") from None
