"""petrel.mock: test spouts, bolts and whole topologies in-process, in milliseconds.

No subprocesses, no Storm: each task is a real component instance attached to a recording
collector (the runtime's seam), so emits are checked, BasicBolts anchor and ack, and
errors are handled exactly as on a worker; values make the same JSON round trip.

- ``MockSpout(output_fields, rows)``: a spout replaying rows.
- ``run_simple_topology(config, components, result_type=NAMEDTUPLE, max_spout_emits=None)``:
  old Petrel's linear chain; returns {component object: tuples it emitted}. Old Petrel's
  ``Mock.run_simple_topology`` is the same function.
- ``run_topology(definition, spout_data=None, config=None, ticks=None,
  max_spout_emits=None)``: a whole create.py with every grouping, stream, task, tick and
  tuple tree; returns a ``TopologyResult``.
- ``MockTask(component, config=None)``: one component driven a tuple or command at a time.
- Result types ``STORM_TUPLE``, ``LIST``, ``TUPLE``, ``NAMEDTUPLE``; ``MockError`` (when user
  code raised, also an instance of that exception's class).
- pytest fixtures ``mock_task`` and ``mock_topology`` in ``petrel.mock.fixtures``.

docs/testing.md is the guide.
"""

from petrel.mock.errors import MockError
from petrel.mock.results import (
    LIST,
    NAMEDTUPLE,
    STORM_TUPLE,
    TUPLE,
    Emitted,
    ErrorReport,
    LogEntry,
    SimpleResult,
    TopologyResult,
)
from petrel.mock.simple import Mock, run_simple_topology
from petrel.mock.spout import MockSpout
from petrel.mock.task import MockTask
from petrel.mock.topology import run_topology

__all__ = [
    "LIST", "NAMEDTUPLE", "STORM_TUPLE", "TUPLE", "Emitted", "ErrorReport", "LogEntry",
    "Mock", "MockError", "MockSpout", "MockTask", "SimpleResult", "TopologyResult",
    "run_simple_topology", "run_topology",
]
