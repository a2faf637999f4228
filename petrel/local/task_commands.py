"""The task commands that route nothing: ``log``, ``error``, ``metrics`` and the unknown."""

from __future__ import annotations

import time
from typing import Any

from petrel.local.router_base import RouterBase
from petrel.local.task import Task, TaskFailure

LOG_LEVELS = {0: "TRACE", 1: "DEBUG", 2: "INFO", 3: "WARN", 4: "ERROR"}


class TaskCommands(RouterBase):
    """log, error, metrics and the commands Storm ignores or dies on."""

    def other_command(self, task: Task, msg: dict, cmd: Any) -> None:
        """log, error, metrics and the commands Storm ignores or dies on."""
        runner = self.runner
        if cmd == "log":
            text = msg.get("msg")
            if not isinstance(text, str):
                raise TaskFailure(f"log 'msg' must be a string, got {text!r}")
            level = msg.get("level")
            name = LOG_LEVELS.get(level, "INFO") if type(level) is int else "INFO"
            runner.log(f"{name} ShellLog pid:{task.pid}, name:{task.cid} {text}")
            if level in (3, 4) and type(level) is int:
                print(f"petrel: {name} from {task.cid}[{task.id}]: {text}",
                      file=runner.err, flush=True)
        elif cmd == "error":
            text = msg.get("msg")
            if not isinstance(text, str):
                raise TaskFailure(f"error 'msg' must be a string, got {text!r}")
            task.cs.errors += 1
            self.show_error(task, f"Shell Process Exception: {text}")
        elif cmd == "metrics":
            metric = msg.get("name")
            raise TaskFailure(f"Could not find metric by name[{metric}] (multilang metrics need a "
                              f"Java-registered IShellMetric; a Thrift shell component has none)")
        elif cmd is None:
            if "pid" in msg:
                raise TaskFailure("a pid reply arrived after the handshake (its first message "
                                  "was something else)")
            raise TaskFailure(f"a message without 'command': {msg!r}")
        elif not isinstance(cmd, str):
            raise TaskFailure(f"'command' must be a string, got {cmd!r}")

    def show_error(self, task: Task, text: str) -> None:
        """Log an error report and print it (at most 5 per 10 s per component, as Storm)."""
        runner = self.runner
        runner.log(f"ERROR reported by {task.cid}[{task.id}]: {text}")
        times = self.error_times[task.cid]
        now = time.monotonic()
        while times and now - times[0] > 10.0:
            times.popleft()
        if len(times) < 5:
            times.append(now)
            first = text.strip().splitlines() or [""]
            more = "" if len(first) == 1 else f" (+{len(first) - 1} lines in the log)"
            print(f"petrel: error reported by {task.cid}[{task.id}]: {first[0][:500]}{more}",
                  file=runner.err, flush=True)
