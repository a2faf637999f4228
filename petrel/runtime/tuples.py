"""The input tuple a bolt receives (``petrel.storm.Tuple``)."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

TICK_COMPONENT = "__system"
TICK_STREAM = "__tick"
HEARTBEAT_STREAM = "__heartbeat"


class Tuple:
    """One input tuple: ``id``, ``component``, ``stream``, ``task``, ``values``.

    Values are also reachable by the field names the source declared for that stream:
    ``tup.word`` or ``tup['word']`` (``tup[0]`` by position). ``fields`` is that list of
    names, or None when unknown (e.g. tick tuples, or a Storm older than 0.10).
    """

    __slots__ = ("id", "component", "stream", "task", "values", "fields")

    def __init__(self, id: Any, component: Optional[str], stream: str, task: int,
                 values: List[Any], fields: Optional[Sequence[str]] = None) -> None:
        self.id = id
        self.component = component
        self.stream = stream
        self.task = task
        self.values = values
        self.fields = fields

    def is_tick_tuple(self) -> bool:
        """True for Storm's tick tuples (stream ``__tick`` from component ``__system``).

        Task -1 on stream ``__tick`` counts too: old Petrel checked that, so tests that build
        ``Tuple(None, None, '__tick', -1, [])`` by hand keep working.
        """
        return self.stream == TICK_STREAM and (self.component == TICK_COMPONENT
                                               or self.task == -1)

    def is_heartbeat_tuple(self) -> bool:
        """True for the multilang heartbeat (task -1, stream ``__heartbeat``)."""
        return self.task == -1 and self.stream == HEARTBEAT_STREAM

    def _index(self, name: str) -> int:
        fields = self.fields
        if fields is not None:
            try:
                return list(fields).index(name)
            except ValueError:
                pass
        raise AttributeError(
            f"tuple from component {self.component!r} stream {self.stream!r} has no field "
            f"{name!r}; its fields are {list(fields) if fields is not None else 'unknown'}")

    def __getattr__(self, name: str) -> Any:
        # Only called when normal attribute lookup failed: try the declared field names.
        if name.startswith("__"):
            raise AttributeError(name)
        return self.values[self._index(name)]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return self.values[self._index(key)]
            except AttributeError as exc:
                raise KeyError(str(exc)) from None
        return self.values[key]

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Any:
        return iter(self.values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tuple):
            return NotImplemented
        return (self.id == other.id and self.component == other.component
                and self.stream == other.stream and self.task == other.task
                and self.values == other.values)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return (f"<Tuple component={self.component!r} id={self.id!r} stream={self.stream!r} "
                f"task={self.task!r} values={self.values!r}>")
