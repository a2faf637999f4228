"""Storm's side of the multilang protocol in MessagePack, for tests over real pipes.

The conformance hosts (tests/conformance/host.py) with the framing of petrel's Java
serializer: messages packed by petrel.runtime.msgpack_codec, written back to back, read
back with its Unpacker. ``raw`` keeps the bytes of every message read, to check how a
value was encoded (an int, not a float or a string).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conformance"))

from host import BoltHost, HostError, SpoutHost  # noqa: E402

from petrel.runtime.msgpack_codec import Incomplete, decode_at, packb  # noqa: E402


class MsgpackWire:
    """``send``/``read_message`` in MessagePack for a ComponentProcess subclass."""

    raw: List[bytes]
    _buf: bytes

    def send(self, obj: Any) -> None:
        """Write one message: its MessagePack bytes, nothing after them."""
        self.send_raw(packb(obj))  # type: ignore[attr-defined]

    def read_message(self, timeout: Optional[float] = None) -> Any:
        """The next message: a MessagePack map (anything else is fatal, as for Storm)."""
        if not hasattr(self, "raw"):
            self.raw = []
        deadline = time.monotonic() + (self.timeout if timeout is None  # type: ignore
                                       else timeout)
        while True:
            if self._buf:
                try:
                    msg, end = decode_at(self._buf, 0)
                except Incomplete:
                    pass
                else:
                    self.raw.append(self._buf[:end])
                    self._buf = self._buf[end:]
                    if not isinstance(msg, dict):
                        raise HostError(f"message is not a map: {msg!r}")
                    return msg
            self._more(deadline)  # type: ignore[attr-defined]


class MsgpackBoltHost(MsgpackWire, BoltHost):
    """BoltHost speaking MessagePack."""


class MsgpackSpoutHost(MsgpackWire, SpoutHost):
    """SpoutHost speaking MessagePack."""
