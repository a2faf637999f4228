"""Tuple trees in the mock: reliable spout tuples, anchoring, acks and fails.

A tree counts the deliveries of its tuples not yet acked; it completes when the count
reaches 0 and fails at the first fail. In one process with nothing lost this is what
Storm's XOR acker decides (``petrel.semantics.acker``), at a fraction of the cost; a mock
run ends when nothing is left to deliver, so trees have no message timeout: those still
pending are reported as pending. A BasicBolt task keeps the trees of the one input it is
processing (``Task.roots``), a Bolt task those of every input it still holds.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional

from petrel.mock.engine_setup import EngineSetup
from petrel.mock.taskstate import Roots, Task, Tree
from petrel.semantics.acker import acked_at_once


class TreeTracking(EngineSetup):
    """Starting, anchoring, acking and failing tuple trees."""

    def new_tree(self, task: Task, msg_id: Any, targets: int) -> Optional[Roots]:
        """Start the tree of a reliable spout tuple; its roots for the deliveries."""
        if not targets and not self.ack_unrouted:
            return None
        if not acked_at_once(self.acking, targets):
            tree = Tree(task, msg_id, targets)
            self.trees.append(tree)
            return (tree,)
        self._tree_done(Tree(task, msg_id, 0), True)
        return None

    @staticmethod
    def _roots_of(task: Task, anchors: List[str]) -> Optional[Roots]:
        """The trees of the inputs ``anchors`` names (each tree once)."""
        if not task.keeps_inputs:  # a BasicBolt anchors to the input being processed only
            return task.roots
        inputs = task.inputs
        if len(anchors) == 1:
            return inputs.get(anchors[0])
        found: Dict[Tree, None] = {}
        for anchor in anchors:
            for tree in inputs.get(anchor, ()):
                found[tree] = None
        return tuple(found) or None

    def ack_input(self, task: Task, tuple_id: Any) -> None:
        """A bolt acked an input: its trees wait for one delivery fewer."""
        self.acker(task)(tuple_id)

    def acker(self, task: Task) -> Callable[[Any], None]:
        """The ack function of ``task``'s collector (a closure: it runs for every tuple)."""
        acked_append = task.acked.append
        tree_done = self._tree_done
        if task.keeps_inputs:
            inputs_pop = task.inputs.pop

            def ack_kept(tuple_id: Any) -> None:
                acked_append(tuple_id)
                roots = inputs_pop(tuple_id, None)
                if roots:
                    for tree in roots:
                        tree.count -= 1
                        if tree.count <= 0 and tree.live:
                            tree_done(tree, True)

            return ack_kept

        def ack(tuple_id: Any) -> None:  # the input being delivered (see Task.roots)
            acked_append(tuple_id)
            roots = task.roots
            if roots:
                task.roots = None
                for tree in roots:
                    tree.count -= 1
                    if tree.count <= 0 and tree.live:
                        tree_done(tree, True)

        return ack

    def fail_input(self, task: Task, tuple_id: Any) -> None:
        """A bolt failed an input: its trees fail (later acks of them are ignored)."""
        task.failed.append(tuple_id)
        if task.keeps_inputs:
            roots = task.inputs.pop(tuple_id, None)
        else:
            roots, task.roots = task.roots, None
        if roots:
            for tree in roots:
                if tree.live:
                    self._tree_done(tree, False)

    def _tree_done(self, tree: Tree, acked: bool) -> None:
        tree.live = False
        tree.acked = acked
        self.tree_log.append(tree)
        tree.spout.commands.append(tree)

    def pending_trees(self) -> Iterable[Tree]:
        """Spout tuples whose trees were neither fully acked nor failed."""
        return [tree for tree in self.trees if tree.live]
