"""``petrel pipe``'s line formats: one input line -> one tuple, one emit -> one output line.

- ``jsonl``: a JSON list of values per line (``["the cow", 3]``). With ``--streams`` an
  output line is ``{"stream": "words", "values": [...]}``, which a downstream ``petrel pipe``
  reads back as a tuple on that stream.
- ``text``: the whole line is a one-field tuple (its trailing ``\\r`` dropped).
- ``tsv``: the line's tab-separated columns are the tuple's values (all strings).

``text`` and ``tsv`` write an emit's values tab-separated (strings as they are, other values
as JSON), with the stream name as a first column under ``--streams``; a tab or line break
inside a value is written as a space so that each emit stays one line.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Callable, List, Optional, Sequence, Tuple

from petrel.runtime.protocol import FAST_OPTIONS, fast_dumps

FORMATS = ("jsonl", "text", "tsv")
DEFAULT_STREAM = "default"

try:  # the same JSON library the worker runtime prefers
    import orjson
except ImportError:  # pragma: no cover - interpreters without orjson
    loads: Callable[[bytes], Any] = json.loads
    _NEWLINE_OPTION = 0
else:
    loads = orjson.loads
    _NEWLINE_OPTION = orjson.OPT_APPEND_NEWLINE

# What an output format needs: the line of an emit on the default stream from its values,
# and the line of any emit from its stream, values and values already encoded as JSON.
QuickLine = Callable[[List[Any]], bytes]
AnyLine = Callable[[str, List[Any], bytes], bytes]


# A decoded input line: the stream it arrives on and its values.
Decoded = Tuple[str, List[Any]]
_LINE_BREAKS = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


class BadLine(ValueError):
    """An input line that is no tuple; the message says why (without the line number)."""


def _utf8_problem(line: bytes) -> Optional[str]:
    """Why ``line`` is not UTF-8, or None when it is."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not valid UTF-8 (byte 0x{line[exc.start]:02x} at column {exc.start + 1})"
    return None


def _check_width(values: List[Any], fields: Optional[Sequence[str]]) -> None:
    if fields is not None and len(values) != len(fields):
        raise BadLine(f"{len(values)} value(s), but --fields names {len(fields)} "
                      f"({', '.join(fields)})")


def decode_jsonl(line: bytes, fields: Optional[Sequence[str]]) -> Decoded:
    """A ``jsonl`` line: a JSON list of values, or ``{"stream": ..., "values": [...]}``."""
    try:
        value = loads(line)
    except ValueError as exc:
        raise BadLine(_utf8_problem(line) or f"not valid JSON ({exc})") from None
    stream = DEFAULT_STREAM
    if type(value) is not list:
        if isinstance(value, dict) and isinstance(value.get("values"), list) \
                and isinstance(value.get("stream", stream), str):
            stream, value = value.get("stream", stream), value["values"]
        else:
            raise BadLine(f"a JSON list of values expected, got {type(value).__name__} "
                          f"(--format text reads plain lines)")
    _check_width(value, fields)
    return stream, value


def decode_text(line: bytes, fields: Optional[Sequence[str]]) -> Decoded:
    """A ``text`` line: the line itself is the only value."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise BadLine(_utf8_problem(line) or "not valid UTF-8") from None
    if text.endswith("\r"):
        text = text[:-1]
    return DEFAULT_STREAM, [text]


def decode_tsv(line: bytes, fields: Optional[Sequence[str]]) -> Decoded:
    """A ``tsv`` line: its tab-separated columns are the values."""
    stream, (text,) = decode_text(line, None)
    values: List[Any] = text.split("\t")
    _check_width(values, fields)
    return stream, values


DECODERS = {"jsonl": decode_jsonl, "text": decode_text, "tsv": decode_tsv}


def _text_value(value: Any) -> str:
    text = value if type(value) is str else fast_dumps(value, None, FAST_OPTIONS).decode()
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.translate(_LINE_BREAKS)
    return text


def _text_line(values: Sequence[Any]) -> bytes:
    if len(values) == 1 and type(values[0]) is str:
        text = values[0]
        if "\t" in text or "\n" in text or "\r" in text:
            text = text.translate(_LINE_BREAKS)
        return (text + "\n").encode("utf-8", "surrogateescape")
    return ("\t".join(map(_text_value, values)) + "\n").encode("utf-8", "surrogateescape")


def jsonl_quick_emit(append: Callable[[bytes], None]) -> Optional[Callable[[List[Any], Any],
                                                                           None]]:
    """A bolt collector's ``quick_emit`` writing plain jsonl lines in one call, with orjson."""
    if not _NEWLINE_OPTION:
        return None
    dumps, option = fast_dumps, FAST_OPTIONS | _NEWLINE_OPTION
    return lambda values, _input: append(dumps(values, None, option))


def newline_dumps() -> QuickLine:
    """``values`` -> their JSON and a newline, in one call when orjson is there."""
    if _NEWLINE_OPTION:
        return functools.partial(fast_dumps, default=None,
                                 option=FAST_OPTIONS | _NEWLINE_OPTION)
    return lambda values: fast_dumps(values, None, FAST_OPTIONS) + b"\n"


def line_writers(fmt: str, with_stream: bool) -> Tuple[QuickLine, AnyLine]:
    """The two line makers of output format ``fmt``, with or without the stream name."""
    dumps, options = fast_dumps, FAST_OPTIONS
    if fmt == "jsonl":
        if not with_stream:
            return (newline_dumps(), lambda stream, values, encoded: encoded + b"\n")

        def jsonl_stream(stream: str, values: List[Any], encoded: bytes) -> bytes:
            return (b'{"stream":' + dumps(stream, None, options) + b',"values":' + encoded
                    + b"}\n")
        return (lambda values: jsonl_stream(DEFAULT_STREAM, values,
                                            dumps(values, None, options)),
                jsonl_stream)
    if not with_stream:
        return _text_line, lambda stream, values, encoded: _text_line(values)
    return (lambda values: _text_line([DEFAULT_STREAM, *values]),
            lambda stream, values, encoded: _text_line([stream, *values]))
