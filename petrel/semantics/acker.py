"""Storm's acker: XOR tuple trees, pending-tree bookkeeping and message timeouts.

Each reliable spout tuple gets a random 64-bit root id; every edge of its tree (a tuple
delivered to a task) gets a random 64-bit value that is XORed in once when the tuple is
created and once when it is acked, so the tree is complete exactly when the XOR is 0.
The pending map rotates every message timeout T, and a rotation fails what has sat through
two of them, so a tree fails between T and 2T seconds after its emit, as Storm's acker
does with its rotating map.
"""

from __future__ import annotations

import random
from typing import Any, Dict, Iterable, List, Optional

_rand64 = random.SystemRandom().getrandbits(64)  # seed material only
_rng = random.Random(_rand64)
rand64 = _rng.getrandbits


class Tree:
    """The state of one pending spout tuple tree."""

    __slots__ = ("val", "spout", "msg_id", "start", "gen")

    def __init__(self, val: int, spout: Any, msg_id: Any, start: float, gen: int) -> None:
        self.val = val          # XOR of every edge value seen so far
        self.spout = spout      # the spout task that owns the tree
        self.msg_id = msg_id    # the id the spout gave its emit
        self.start = start      # emit time (monotonic seconds), for complete latency
        self.gen = gen          # rotation generation at emit time


class Acker:
    """Pending tuple trees by root id."""

    def __init__(self) -> None:
        self.pending: Dict[int, Tree] = {}
        self.gen = 0

    def __len__(self) -> int:
        return len(self.pending)

    def new_root(self) -> int:
        """A fresh random 64-bit root id not currently pending."""
        root = rand64(64)
        while root in self.pending:  # pragma: no cover - 2**-64 odds
            root = rand64(64)
        return root

    def init(self, root: int, val: int, spout: Any, msg_id: Any, now: float) -> Optional[Tree]:
        """Start tracking a tree; returns it at once when it is already complete (val 0)."""
        tree = Tree(val, spout, msg_id, now, self.gen)
        if val == 0:
            return tree
        self.pending[root] = tree
        return None

    def xor(self, root: int, value: int) -> Optional[Tree]:
        """Apply an ack value; returns the tree when it just completed."""
        tree = self.pending.get(root)
        if tree is None:
            return None  # already failed or timed out: later acks are ignored
        tree.val ^= value
        if tree.val == 0:
            del self.pending[root]
            return tree
        return None

    def fail(self, root: int) -> Optional[Tree]:
        """Fail a tree; returns it unless it was already finished."""
        return self.pending.pop(root, None)

    def rotate(self) -> List[Tree]:
        """Advance one message-timeout period; returns the trees that timed out."""
        self.gen += 1
        limit = self.gen - 2
        expired = [r for r, t in self.pending.items() if t.gen <= limit]
        return [self.pending.pop(r) for r in expired]

    def drop_spout(self, spout: Any) -> List[Tree]:
        """Forget every tree of a spout task that died (its process cannot be told)."""
        roots = [r for r, t in self.pending.items() if t.spout is spout]
        return [self.pending.pop(r) for r in roots]


# What a host keeps for each tuple a bolt task holds is an input entry [roots, value].
# roots None: the tuple is in no tree. roots an int: the root id of its one tree, and value
# its edge XOR the edges of the tuples anchored on it (what Storm's ack sends to the acker).
# roots a dict {root id: edge}: several trees, and value the XOR of the anchored tuples'
# edges alone.


def entry_roots(entry: list) -> Iterable[int]:
    """The root ids of an input entry's trees."""
    roots = entry[0]
    if roots is None:
        return ()
    return (roots,) if type(roots) is int else roots


def entry_acks(entry: list) -> List[tuple]:
    """(root id, XOR value) for each tree an ack of this input entry completes an edge of."""
    roots = entry[0]
    if roots is None:
        return []
    if type(roots) is int:
        return [(roots, entry[1])]
    val = entry[1]
    return [(r, edge ^ val) for r, edge in roots.items()]


def acked_at_once(acking: bool, targets: int) -> bool:
    """True when Storm acks a reliable spout emit at once: no acker, or no task receives it."""
    return not acking or not targets
