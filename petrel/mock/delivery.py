"""Delivering in the mock: queued tuples first in first out, then the spouts' acks and fails."""

from __future__ import annotations

from typing import Optional

from petrel.mock.emits import EmitRouting
from petrel.mock.errors import MockError
from petrel.mock.taskstate import Roots, Task
from petrel.runtime.failures import FatalComponentError
from petrel.runtime.tuples import Tuple as StormTuple

# Deliveries in one run before a cycle in the topology is suspected.
DELIVERY_LIMIT = 20_000_000


class Delivery(EmitRouting):
    """The delivery queue and its draining."""

    def deliver(self, target: Task, tup: StormTuple,
                roots: Optional[Roots] = None) -> None:
        """Queue one tuple for a bolt task (e.g. a tick tuple); ``drain`` delivers it."""
        self.queue.append((target, tup, roots))

    def drain(self) -> None:
        """Deliver queued tuples and spout acks/fails until nothing is left to deliver."""
        queue = self.queue
        popleft = queue.popleft
        while True:
            if queue:
                budget = DELIVERY_LIMIT - self.deliveries
                count = 0
                target: Optional[Task] = None
                try:
                    while queue:
                        target, tup, roots = popleft()
                        target.roots = roots
                        target.received.append(tup)
                        count += 1
                        if count > budget:
                            raise MockError(f"more than {DELIVERY_LIMIT} tuples delivered: does "
                                            f"the topology loop back on itself without end?")
                        target.deliver(tup)
                except FatalComponentError as exc:
                    assert target is not None  # raised by a delivery
                    raise self._failure(target, exc) from (exc.__context__ or exc)
                finally:
                    self.deliveries += count
            # Spouts' commands come only from deliveries (and from their own acks and
            # fails, which the same call delivers too): done unless those queued more.
            if not self._deliver_spout_commands() or not queue:
                return

    def _deliver_spout_commands(self) -> bool:
        delivered = False
        for task in self.spouts:
            commands = task.commands
            if not commands:
                continue
            spout = task.component
            try:
                while commands:
                    tree = commands.popleft()
                    if tree.acked:
                        spout.deliver_ack(tree.msg_id)
                    else:
                        spout.deliver_fail(tree.msg_id)
            except FatalComponentError as exc:
                raise self._failure(task, exc) from (exc.__context__ or exc)
            if task.max_emits is None or task.spout_emits < task.max_emits:
                task.producing = True  # an ack or fail may give a spout more to emit
            delivered = True
        return delivered
