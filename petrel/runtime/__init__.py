"""The worker-side runtime: what runs a petrel component as a Storm multilang subprocess.

Standard library only (orjson when importable), Python 3.9+; shipped in every jar under
``resources/petrel/``. One job per module:

- ``protocol``: framing (``...\\nend\\n``), strict JSON, the buffered ``Channel``.
- ``stdio``: protects the protocol channel from prints, C extensions and child processes.
- ``logs``: ``<logdir>/petrel<pid>_<module>.log``, ``logconfig.ini`` or the default set-up.
- ``tuples``: ``Tuple`` (also ``petrel.storm.Tuple``).
- ``collector``: the ``Collector`` seam and ``ProtocolCollector``.
- ``outputs``: ``Stream``, declared streams and the checks every emit passes (``InvalidEmit``).
- ``failures``: logging and reporting exceptions from user code; ``petrel.on_error``.
- ``component``: ``Component``, the base of the classes users subclass: ``spout`` (``Spout``),
  ``bolt`` (``Bolt``), ``basic_bolt`` (``BasicBolt``); ``petrel.emitter`` re-exports them.
- ``kinds``: spout, bolt or BasicBolt, as each component class names itself.
- ``loops``: the handshake and the bolt and spout loops. ``profiling``: profile lines.
- ``keepalive``: signs of life while a debugger holds the main thread.
- ``worker``: start-up, ``run_component`` and every way a worker ends (the entry point,
  ``python -m petrel.run``, is ``petrel.run``).
- ``launcher``: the worker launcher that prepares the Python environment (separate).

Imports go down this list's dependencies only: the component classes import the worker (to
``run()``), so the loops and the worker tell a spout from a bolt by ``kinds``, never by
importing the classes.

The seam for running components in-process (``petrel.mock``)
-----------------------------------------------------------
All output of a component goes through the one collector it holds; validation, BasicBolt
anchoring and auto-ack, and error handling live in the component classes (``component``,
``spout``, ``bolt``, ``basic_bolt``), so an in-process host gets the same behaviour as a
worker:

1. Subclass ``petrel.runtime.collector.Collector`` and implement ``emit(stream, values,
   encoded, anchors, msg_id, task, need_task_ids)`` (``encoded`` is the JSON bytes of
   ``values``; ``anchors`` is a list of input tuple ids for a bolt, None for a spout;
   return a task-id list when ``need_task_ids`` and ``task`` is None), ``ack(tuple_id)``,
   ``fail(tuple_id)``, ``log(msg, level)``, ``report_error(msg)``, ``sync()``.
2. ``component.attach(collector, conf, context)``: ``context`` may be None or a handshake
   context (``componentid``, ``taskid``, ``stream->outputfields``,
   ``source->stream->fields``); then call ``component.initialize(conf, context)`` yourself
   (skip it to mimic old Petrel's ``config=None``).
3. Deliver work. Bolts: ``component.deliver(tup)`` with a tuple from
   ``component.make_tuple(id, source_component, stream, task, values)`` (or
   ``petrel.storm.Tuple(id, component, stream, task, values, fields)``, where ``fields`` is the
   list of field names of that stream or None; ids should be strings as Storm's are).
   Spouts: ``deliver_next()``, ``deliver_ack(msg_id)``, ``deliver_fail(msg_id)``,
   ``deliver_activate()``, ``deliver_deactivate()``. Each ``deliver*`` makes the component
   current for ``petrel.storm`` and never raises for errors in user code (they are logged,
   reported with ``report_error`` and, for a bolt, the input is failed), except
   ``petrel.runtime.failures.FatalComponentError`` when ``petrel.on_error`` is ``exit``.
   Emits petrel refuses (undeclared stream, wrong width, NaN, values JSON cannot encode)
   raise ``petrel.runtime.outputs.InvalidEmit`` inside user code, so they end up in that
   same error path and the input is failed.
"""
