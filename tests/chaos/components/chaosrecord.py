"""What the chaos components write down, so a test can check the run from the outside.

Each process appends to its own file in the directory ``chaos.records`` of the topology
config, named ``<component>.<task>.<pid>.log``. The first line is
``start <task> <pid> <spawn>``, where ``<spawn>`` is when the runner created the process
(``CLOCK_BOOTTIME`` seconds, from ``/proc/self/stat``), so a test can measure how long a
restart took after a death. Every later line is ``<verb> <id>``. Each line is one
``write`` to a file opened for appending: a process killed by ``kill -9`` never leaves
half a line.

Faults happen at most ``chaos.budget`` times per component over the whole run (one marker
file per fault taken, created atomically), spread over the ids ``0 .. chaos.ids - 1``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple


def spawn_time(pid: int) -> float:
    """When process ``pid`` was created, in ``CLOCK_BOOTTIME`` seconds (10 ms resolution)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")


class Record:
    """This process's record file and its share of the component's fault budget."""

    def __init__(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        self.dir = Path(conf["chaos.records"])
        self.cid = str(context["componentid"])
        self.task = int(context["taskid"])
        self.pid = os.getpid()
        self.ids: Optional[int] = conf.get("chaos.ids")
        self.budget = int(conf.get("chaos.budget", 0))
        self.offset = float(conf.get("chaos.offset", 0.0))
        path = self.dir / f"{self.cid}.{self.task}.{self.pid}.log"
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.write("start", f"{self.task} {self.pid} {spawn_time(self.pid):.2f}")

    def write(self, verb: str, what: Any) -> None:
        """One line, in one write."""
        os.write(self.fd, f"{verb} {what}\n".encode())

    def fault_due(self, msg_id: int) -> bool:
        """True when the next fault of this component is due at ``msg_id`` (then it is taken).

        Fault n of a budget of B waits for the ids to reach ``(n + 1) / (B + 1)`` of the run,
        shifted by ``chaos.offset`` so that two components do not fail at the same moment.
        """
        if not self.ids or not self.budget:
            return False
        for n in range(self.budget):
            marker = self.dir / f"fault-{self.cid}-{n}"
            if marker.exists():
                continue
            due = self.ids * ((n + 1) / (self.budget + 1) + self.offset)
            if msg_id < due:
                return False
            try:
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return False
            self.write("fault", f"{n} {time.clock_gettime(time.CLOCK_BOOTTIME):.3f}")
            return True
        return False

    def first_time(self, name: str) -> bool:
        """True once per run for ``name`` (a marker file created atomically)."""
        try:
            os.close(os.open(self.dir / f"once-{self.cid}-{name}",
                             os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True


def lines_of(path: Path) -> Iterator[Tuple[str, str]]:
    """(verb, rest) for every whole line of a record file."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.endswith("\n") and " " in line:
                verb, rest = line[:-1].split(" ", 1)
                yield verb, rest


def task_history(records: Path, cid: str, task: int) -> Tuple[List[int], int]:
    """(ids emitted and never acked, in order; highest id emitted or -1) over one task's processes.

    One byte per id rather than sets of ints: a spout restarted late in a long soak reads a
    history of many thousand ids, and its memory should not grow with the run's length.
    """
    seen = bytearray()  # per id: 1 emitted, 2 acked (3 both)
    for path in records.glob(f"{cid}.{task}.*.log"):
        for verb, rest in lines_of(path):
            if verb in ("emit", "ack") and rest.isdigit():
                msg_id = int(rest)
                if msg_id >= len(seen):
                    seen.extend(bytes(msg_id + 1 - len(seen) + 4096))
                seen[msg_id] |= 1 if verb == "emit" else 2
    top = max((i for i in range(len(seen) - 1, -1, -1) if seen[i] & 1), default=-1)
    return [i for i, flags in enumerate(seen) if flags == 1], top
