"""What the runner does with each message a task writes: routing, acking, spout commands.

Emits are routed with Storm's groupings and checked as a local-mode worker checks them; acks
and fails drive the XOR ack trees (``petrel.semantics``); a spout's ``sync`` releases its
next commands. ``Router`` puts together the handlers, one module per responsibility:
``router_base`` (routes, parsing, tree ends), ``task_commands`` (log, error, ...),
``emit_routing`` (checks, targets, delivery), ``bolt_messages`` and ``spout_messages``.
"""

from __future__ import annotations

from petrel.local.bolt_messages import BoltMessages
from petrel.local.router_base import RunnerHooks
from petrel.local.spout_messages import SpoutMessages

__all__ = ["Router", "RunnerHooks"]


class Router(BoltMessages, SpoutMessages):
    """Handles the messages of every task for one runner."""
