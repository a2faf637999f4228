"""MessagePack multilang messages from pre-packed pieces, and the components' quick emits.

Every message petrel writes is a map whose keys and command names never change: they are
packed once here, and a message is the map header, those pieces and the packed values,
concatenated. ``quick_emit`` gives a Spout or a BasicBolt its commonest emit (the
'default' stream at its declared width, no direct task, no task ids wanted) as one such
concatenation; what else it is asked goes to the component's checked ``_storm_emit``.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional

from petrel.runtime import msgpack_stream
from petrel.runtime.kinds import BASIC_BOLT, SPOUT, kind_of

pack = msgpack_stream.packb
# The same encoding without packb's wrapper (whose OverflowError it catches here too). Its
# own packer: the channel's, which other threads may use, is never shared with it.
quick_pack = msgpack_stream.new_packer()
PACK_ERRORS = (TypeError, ValueError, OverflowError, RecursionError)

EMIT = pack("command") + pack("emit")
STREAM = pack("stream")
ANCHORS = pack("anchors")
ID = pack("id")
TASK = pack("task")
TUPLE = pack("tuple")
NO_TASK_IDS = pack("need_task_ids") + pack(False)
SYNC = pack({"command": "sync"})
# Whole messages but for the values at the end (maps of 2) or in the middle (maps of 3, 4).
ACK = b"\x82" + pack("command") + pack("ack") + ID
FAIL = b"\x82" + pack("command") + pack("fail") + ID
BOLT_EMIT = b"\x84" + EMIT + ANCHORS     # anchors, TUPLE, values, NO_TASK_IDS
SPOUT_EMIT = b"\x83" + EMIT + TUPLE      # values, NO_TASK_IDS
SPOUT_EMIT_ID = b"\x84" + EMIT + ID      # id, TUPLE, values, NO_TASK_IDS

Emit = Callable[[Any, Optional[str], Any, Any, Optional[int], bool], Optional[List[int]]]


def quick_emit(component: Any, write: Callable[[bytes], None]) -> Optional[Emit]:
    """The component's ``_storm_emit`` with its commonest emit packed at once, or None."""
    kind = kind_of(component)
    checked: Emit = type(component)._storm_emit.__get__(component)
    if kind == SPOUT:
        return _spout_emit(component, write, checked)
    if kind == BASIC_BOLT:
        return _basic_bolt_emit(component, write, checked)
    return None


def _spout_emit(component: Any, write: Callable[[bytes], None], checked: Emit) -> Emit:
    width = component._petrel_default_width

    def emit(values: Any, stream: Optional[str], anchors: Any, id: Any,
             task: Optional[int], need_task_ids: bool) -> Optional[List[int]]:
        if stream is None and task is None and anchors is None and not need_task_ids \
                and type(values) is list and len(values) == width:
            try:
                encoded = quick_pack(values)
                if id is None:
                    write(SPOUT_EMIT + encoded + NO_TASK_IDS)
                    return None
                if type(id) is int or type(id) is str:
                    write(SPOUT_EMIT_ID + quick_pack(id) + TUPLE + encoded + NO_TASK_IDS)
                    return None
            except PACK_ERRORS:
                pass   # the checked path says what is wrong
        return checked(values, stream, anchors, id, task, need_task_ids)
    return emit


def _basic_bolt_emit(component: Any, write: Callable[[bytes], None], checked: Emit) -> Emit:
    width = component._petrel_default_width
    # The input the emits are anchored to, and the message's start up to its values.
    anchored: List[Any] = [None, b""]

    def emit(values: Any, stream: Optional[str], anchors: Any, id: Any,
             task: Optional[int], need_task_ids: bool) -> Optional[List[int]]:
        if stream is None and anchors is None and task is None and id is None \
                and not need_task_ids and type(values) is list and len(values) == width:
            current = component._petrel_input
            if current is not None and not component._petrel_done:
                try:
                    encoded = quick_pack(values)
                except PACK_ERRORS:
                    return checked(values, stream, anchors, id, task, need_task_ids)
                if current is not anchored[0]:
                    tuple_id = current.id
                    # Storm casts every anchor to a String: never send a number.
                    anchored[1] = BOLT_EMIT + pack(
                        [tuple_id if type(tuple_id) is str else str(tuple_id)]) + TUPLE
                    anchored[0] = current
                write(anchored[1] + encoded + NO_TASK_IDS)
                return None
        return checked(values, stream, anchors, id, task, need_task_ids)
    return emit
