"""The dashboard's parts without a run: the error log, the tuple samples, the hub."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from petrel.dashboard.events import MAX_ERROR_CHARS, ErrorLog, TupleSamples
from petrel.dashboard.hub import Hub

REPORT = ("ERROR reported by split[3]: Shell Process Exception: KeyError: 'x'\n"
          "in process() of component 'split' (task 3, host h, pid 1)\n"
          "The error occurred while processing this tuple: ['a b']\n"
          "Traceback (most recent call last):\n  File \"split.py\", line 9, in process\n"
          "KeyError: 'x'")


def test_error_reports_and_task_failures_are_kept_with_their_tuple() -> None:
    log = ErrorLog()
    log.tap("INFO ShellLog pid:1, name:split hello")       # not an error: ignored
    log.tap(REPORT)
    log.tap("petrel: bolt 'count' task 2 failed: Pipe to subprocess seems to be broken!\n"
            "  exit code: 1")
    count, split = log.latest()
    assert split == {**split, "component": "split", "task": 3, "kind": "reported",
                     "message": "KeyError: 'x'", "tuple": "['a b']", "times": 1}
    assert split["text"].endswith("KeyError: 'x'") and "Traceback" in split["text"]
    assert count["component"] == "count" and count["kind"] == "task failure"
    assert count["message"] == "Pipe to subprocess seems to be broken!"
    assert count["tuple"] is None and log.count == 2


def test_the_same_error_again_updates_its_entry_and_old_ones_go() -> None:
    log = ErrorLog(limit=3)
    for _ in range(5):
        log.tap(REPORT)
    assert [e["times"] for e in log.latest()] == [5]
    for n in range(4):
        log.tap(f"ERROR reported by c[1]: problem {n}")
    assert [e["message"] for e in log.latest()] == ["problem 3", "problem 2", "problem 1"]
    log.tap("ERROR reported by c[1]: " + "x" * (MAX_ERROR_CHARS + 10))
    assert len(log.latest()[0]["text"]) < MAX_ERROR_CHARS + 100


def test_tuple_samples_keep_the_latest_per_stream() -> None:
    samples = TupleSamples(per_stream=2)
    task = SimpleNamespace(cid="split word", id=4)   # a space in a component id is fine
    for word in ("a", "b", "c"):
        samples.emitted(task, "default", [word, float("nan")])
    (group,) = samples.latest()
    assert group["component"] == "split word" and group["count"] == 3
    assert [t["values"] for t in group["tuples"]] == ['["b", NaN]', '["c", NaN]']


def test_the_hub_wakes_a_waiting_client_and_closing_ends_the_wait() -> None:
    hub = Hub({"topology": "t"})
    got = []
    waiter = threading.Thread(target=lambda: got.append(hub.wait_newer(0, 30)))
    waiter.start()
    hub.publish({"elapsed_s": 1.0, "rates": {}, "stats": {"topology": "t"}, "ended": False})
    waiter.join(10)
    assert got and got[0] is not None and got[0][0] == 1
    assert hub.stats == b'{"topology":"t"}'
    closing = threading.Thread(target=lambda: got.append(hub.wait_newer(1, 30)))
    closing.start()
    hub.close()
    closing.join(10)
    assert not closing.is_alive() and got[-1] is None
    assert hub.history().startswith(b'[{"t":1.0')


def test_a_failing_snapshot_does_not_stop_the_run(tmp_path) -> None:
    from petrel.dashboard.session import Dashboard

    log = (tmp_path / "petrel-local.log").open("w")
    runner = SimpleNamespace(runner_log=log)     # no stats: building the snapshot fails
    dashboard = Dashboard(server=None, hub=Hub({}))  # type: ignore[arg-type]
    dashboard.publish(runner)
    dashboard.publish(runner)
    log.close()
    lines = (tmp_path / "petrel-local.log").read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dashboard: cannot build the run's snapshot")
    assert dashboard.hub.seq == 0
