"""The dashboard's HTTP side without a browser: the JSON API, the event stream, bad input."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from dash_helpers import cli_env, dashboard_run, free_port_in_use, wait_for, wordcount_copy


def events(url: str, count: int, timeout: float = 15.0) -> List[Tuple[str, Any]]:
    """The first ``count`` events of ``/api/events``, as (event name, decoded data)."""
    got: List[Tuple[str, Any]] = []
    with urllib.request.urlopen(url.rstrip("/") + "/api/events", timeout=timeout) as resp:
        assert resp.headers["Content-Type"] == "text/event-stream"
        name = None
        for raw in resp:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: ") and name is not None:
                got.append((name, json.loads(line[len("data: "):])))
                name = None
                if len(got) == count:
                    break
    return got


def snapshots(stream: List[Tuple[str, Any]]) -> Iterator[Dict[str, Any]]:
    return (data for name, data in stream if name == "snapshot")


def status_of(url: str, method: str = "GET", host: str = "") -> int:
    """The status code of one request (``host`` overrides the Host header)."""
    parsed = urllib.request.urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
    headers = {"Host": host} if host else {}
    conn.request(method, parsed.path or "/", headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def test_api_and_events_follow_a_word_count_run(tmp_path: Path) -> None:
    topo = wordcount_copy(tmp_path / "wc")
    with dashboard_run(topo, "--ui", "--duration", "4", "--ui-linger", "30") as run:
        assert run.url.startswith("http://127.0.0.1:")
        topology = run.get("/api/topology")
        assert {c["id"]: c["kind"] for c in topology["components"]} == {
            "spout": "spout", "split": "bolt", "count": "bolt"}
        assert {(e["from"], e["to"], e["stream"], e["grouping"], tuple(e["fields"]))
                for e in topology["edges"]} == {("spout", "split", "default", "shuffle", ()),
                                                ("split", "count", "default", "fields",
                                                 ("word",))}
        # the stream starts with the rate history, then a snapshot every second
        stream = events(run.url, 4)
        assert stream[0][0] == "history"
        live = list(snapshots(stream))
        assert len(live) == 3 and not live[-1]["ended"]
        assert [s["elapsed_s"] for s in live] == sorted(s["elapsed_s"] for s in live)
        wait_for(lambda: run.get("/api/stats")["components"]["count"]["executed"] > 0, 20,
                 "counted words")
        # per task: counts and rates move while the topology runs
        wait_for(lambda: any(t["rates"]["executed"] > 0 and t["counts"]["executed"] > 0
                             for t in run.get("/api/snapshot")["tasks"]
                             if t["component"] == "count"), 10, "the count task's rate")
        first = run.get("/api/stats")["components"]["split"]["executed"]
        wait_for(lambda: run.get("/api/stats")["components"]["split"]["executed"] > first, 10,
                 "the counts to move")
        # a client that disconnects and comes back gets the history and the latest state
        again = events(run.url, 2)
        assert again[0][0] == "history" and len(again[0][1]) >= 2
        final = wait_for(lambda: (lambda s: s if s["ended"] else None)(
            run.get("/api/snapshot")), 30, "the run's end")
        stats = run.get("/api/stats")
        # the --stats-json document, with the run's end
        for key in ("topology", "duration_s", "restarts", "components", "spout_acked",
                    "spout_failed", "complete_latency_ms", "exit_code", "stop_reason"):
            assert key in stats, key
        assert stats["exit_code"] == 0 and "--duration" in stats["stop_reason"]
        # the per-task section adds up to each component's counters (a spout's acks and
        # fails its process never received are taken back from both as dropped)
        for cid, cs in stats["components"].items():
            mine = [t for t in stats["tasks"].values() if t["component"] == cid]
            assert len(mine) == cs["tasks"]
            for key in ("emitted", "transferred", "executed", "acked", "failed", "restarts"):
                assert sum(t[key] for t in mine) == cs[key], (cid, key)
        # the final snapshot keeps each task's last busy share and latest latencies
        by_cid = {t["component"]: t for t in final["tasks"]}
        assert by_cid["count"]["latency_ms"]["p50"] > 0
        assert by_cid["spout"]["latency_ms"] is None
        assert by_cid["split"]["busy"] is not None and 0 <= by_cid["split"]["busy"] <= 2
        assert final["latency_ms"]["count"]["p99"] >= final["latency_ms"]["count"]["p50"] > 0
        assert final["busy"]["split"] == by_cid["split"]["busy"]
        assert final["phase"] == "done"
        assert all(not t["up"] for t in final["tasks"])
        ended = list(snapshots(events(run.url, 2)))
        assert ended[0]["ended"] is True
        # read-only, loopback names only, unknown paths
        assert status_of(run.url + "api/stats", "POST") == 405
        assert status_of(run.url + "api/stats", "DELETE") == 405
        assert status_of(run.url + "nothing-here") == 404
        assert status_of(run.url + "api/stats", host="attacker.example:80") == 403
        assert status_of(run.url) == 200
        with urllib.request.urlopen(run.url + "static/app.js", timeout=5) as resp:
            assert b"EventSource" in resp.read()
    assert run.proc.returncode == 0, run.output()
    assert "the dashboard shows the final state" in run.output()


def test_an_exception_in_a_bolt_is_in_the_errors(tmp_path: Path) -> None:
    topo = wordcount_copy(tmp_path / "boom", debug=True, boom=True)
    with dashboard_run(topo, "--ui", "--duration", "3", "--ui-linger", "30") as run:
        snap = wait_for(lambda: (lambda s: s if s["errors"] else None)(
            run.get("/api/snapshot")), 40, "an error in the snapshot")
        error = snap["errors"][0]
        assert error["component"] == "boom" and error["kind"] == "reported"
        assert error["message"] == "ValueError: no words about the moon here"
        assert "Traceback (most recent call last)" in error["text"]
        assert 'raise ValueError("no words about the moon here")' in error["text"]
        assert error["tuple"] == "['moon']"
        # topology.debug is on: the latest tuples of each stream
        assert snap["debug"] is True
        wait_for(lambda: {(g["component"], g["stream"]) for g in run.get("/api/snapshot")[
            "samples"]} >= {("spout", "default"), ("split", "default")}, 20, "tuple samples")


def test_a_port_in_use_stops_before_the_run(tmp_path: Path) -> None:
    topo = wordcount_copy(tmp_path / "wcport")
    work_dirs = set(Path(tempfile.gettempdir()).glob("petrel-wcport-*"))
    taken = free_port_in_use()
    port = taken.getsockname()[1]
    try:
        done = subprocess.run([sys.executable, "-m", "petrel.cli", "submit", "--ui", str(port),
                               "--duration", "1"], cwd=topo, env=cli_env(),
                              capture_output=True, text=True, timeout=120)
    finally:
        taken.close()
    out = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"--ui {port}: port {port} on 127.0.0.1 is in use" in out
    assert "Traceback" not in out and "running topology" not in out
    assert set(Path(tempfile.gettempdir()).glob("petrel-wcport-*")) == work_dirs


def test_the_ui_options_are_checked(tmp_path: Path) -> None:
    topo = wordcount_copy(tmp_path / "wc")
    for args, words in ((["--ui", "70000"], "is not a TCP port"),
                        (["--ui", "--ui-linger", "-1"], "must be greater than 0")):
        done = subprocess.run([sys.executable, "-m", "petrel.cli", "submit", *args],
                              cwd=topo, env=cli_env(), capture_output=True, text=True,
                              timeout=60)
        assert done.returncode != 0 and words in done.stderr, done.stderr


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/static/graph.js",
                                  "/static/style.css"])
def test_every_asset_is_served_by_petrel(path: str) -> None:
    from petrel.dashboard.server import load_assets

    body = load_assets()[path][0].decode()
    assert "http://" not in body.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in body
