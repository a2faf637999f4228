"""Storm's stream groupings: which target tasks receive a tuple and Storm's fields hash.

Fields grouping reproduces Java's ``Arrays.deepHashCode`` over the values as Storm's JSON
layer typed them, then ``Math.floorMod`` over the target tasks sorted ascending, so a value
lands on the same task index as on a Storm 2.6+ worker (json-smart: integers that fit 32 bits
are ``Integer``, larger ones ``Long``). Storm 2.5 and older typed every integer as ``Long``;
that only changes the hash of negative numbers (pass ``long_ints=True`` to emulate it).
"""

from __future__ import annotations

import itertools
import math
import random
import struct
from typing import Any, Callable, List, Sequence

_MASK32 = 0xFFFFFFFF
_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1
_LONG_MIN, _LONG_MAX = -(1 << 63), (1 << 63) - 1

# Hashes of strings seen recently (word-count style traffic repeats a small vocabulary).
_string_hash_cache: dict = {}
_STRING_CACHE_LIMIT = 100_000


def _signed32(h: int) -> int:
    h &= _MASK32
    return h - (1 << 32) if h & 0x80000000 else h


def _fold_long(v: int) -> int:
    """Java ``Long.hashCode``: (int)(v ^ (v >>> 32))."""
    u = v & 0xFFFFFFFFFFFFFFFF
    return _signed32(u ^ (u >> 32))


def java_string_hash(s: str) -> int:
    """Java ``String.hashCode`` over UTF-16 code units, as a signed 32-bit int."""
    h = _string_hash_cache.get(s)
    if h is not None:
        return h
    h = 0
    if s.isascii():
        for b in s.encode("ascii"):
            h = (31 * h + b) & _MASK32
    else:
        data = s.encode("utf-16-le")
        for (unit,) in struct.iter_unpack("<H", data):
            h = (31 * h + unit) & _MASK32
    h = _signed32(h)
    if len(_string_hash_cache) >= _STRING_CACHE_LIMIT:
        _string_hash_cache.clear()
    _string_hash_cache[s] = h
    return h


def _big_integer_hash(v: int) -> int:
    """Java ``BigInteger.hashCode``: 31-fold over the 32-bit magnitude words, times signum."""
    mag = abs(v)
    words = []
    while mag:
        words.append(mag & _MASK32)
        mag >>= 32
    h = 0
    for w in reversed(words):
        h = (31 * h + w) & _MASK32
    h = _signed32(h)
    return _signed32(h * (1 if v > 0 else -1)) if v else 0


def _double_hash(v: float) -> int:
    if math.isnan(v):
        bits = 0x7FF8000000000000  # doubleToLongBits canonical NaN
    else:
        (bits,) = struct.unpack("<q", struct.pack("<d", v))
    return _fold_long(bits)


def java_hash(value: Any, long_ints: bool = False) -> int:
    """Java ``hashCode`` of a JSON value as Storm's JSON parser types it."""
    if value is None:
        return 0
    if isinstance(value, str):
        return java_string_hash(value)
    if value is True:
        return 1231
    if value is False:
        return 1237
    if isinstance(value, int):
        if not long_ints and _INT_MIN <= value <= _INT_MAX:
            return value
        if _LONG_MIN <= value <= _LONG_MAX:
            return _fold_long(value)
        return _big_integer_hash(value)
    if isinstance(value, float):
        return _double_hash(value)
    if isinstance(value, (list, tuple)):
        return java_list_hash(value, long_ints)
    if isinstance(value, dict):
        total = 0
        for k, v in value.items():
            total += java_hash(k, long_ints) ^ java_hash(v, long_ints)
        return _signed32(total)
    raise TypeError(f"cannot hash a {type(value).__name__} as Storm would")


def java_list_hash(values: Sequence[Any], long_ints: bool = False) -> int:
    """Java ``List.hashCode`` / ``Arrays.deepHashCode``: h = 31*h + hash(v), from 1."""
    h = 1
    for v in values:
        h = (31 * h + java_hash(v, long_ints)) & _MASK32
    return _signed32(h)


def fields_grouping_index(values: Sequence[Any], num_tasks: int, long_ints: bool = False) -> int:
    """Index into the sorted target tasks that a fields grouping picks for ``values``."""
    return java_list_hash(values, long_ints) % num_tasks  # Python % is Java floorMod


# A grouper maps an emitted tuple's values to the list of target task ids.
# (A grouper that ignores the values may be called with None.)
Grouper = Callable[[Any], List[int]]


def make_grouper(kind: str, tasks: Sequence[int], source_fields: Sequence[str] = (),
                 group_fields: Sequence[str] = (), rng: random.Random | None = None) -> Grouper:
    """Build the grouper for one (source stream, consumer component) subscription.

    ``tasks`` are the consumer's task ids; ``source_fields`` the source stream's declared
    fields (a fields grouping picks its values by name from them, in ``group_fields`` order).
    """
    targets = sorted(tasks)
    rng = rng or random.Random()
    if kind == "global" or (kind == "fields" and not group_fields):
        first = [targets[0]]
        return lambda values: first
    if kind == "all":
        return lambda values: targets
    if kind == "fields":
        index = {name: i for i, name in enumerate(source_fields)}
        missing = [f for f in group_fields if f not in index]
        if missing:
            raise ValueError(f"fields {missing} are not declared on the source stream "
                             f"(it declares {list(source_fields)})")
        picks = [index[f] for f in group_fields]
        n = len(targets)
        singles = [[t] for t in targets]
        if len(picks) == 1:
            (p,) = picks
            str_cache = _string_hash_cache

            def one_field(values: list) -> List[int]:
                v = values[p]
                if type(v) is str:
                    h = str_cache.get(v)
                    if h is None:
                        h = java_string_hash(v)
                    # deepHashCode of a one-element list: 31 * 1 + hash
                    return singles[(31 + h) % n]
                return singles[fields_grouping_index([v], n)]
            return one_field
        return lambda values: singles[fields_grouping_index([values[p] for p in picks], n)]
    if kind in ("shuffle", "local_or_shuffle"):
        # Storm 2.x's load-aware shuffle walks a shuffled list round robin under even load.
        order = list(targets)
        rng.shuffle(order)
        cycle = itertools.cycle([[t] for t in order])
        return lambda values: next(cycle)
    if kind == "none":
        singles = [[t] for t in targets]
        return lambda values: rng.choice(singles)
    raise ValueError(f"grouping {kind!r} cannot be run by the local runner")


def java_string_sort_key(s: str) -> bytes:
    """Sort key giving Java ``String.compareTo`` order (UTF-16 code units)."""
    return s.encode("utf-16-be")

