"""``petrel kill|list|status|activate|deactivate|rebalance`` against the stand-in Nimbus."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from nimbus_standin import StandInNimbus

from petrel.cli import main

REPO = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- list


def test_list_table(capsys, nimbus: StandInNimbus) -> None:
    a = nimbus.add_running("wordcount")
    b = nimbus.add_running("alpha", status="INACTIVE")
    code, out, err = run(capsys, "list", "--nimbus", nimbus.address)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["name", "id", "status", "uptime", "workers", "executors", "tasks"]
    assert lines[2].split()[:3] == ["alpha", b.id, "INACTIVE"]
    row = lines[3].split()
    assert row[:3] == ["wordcount", a.id, "ACTIVE"] and row[3].endswith("s")
    assert row[-3:] == ["1", "4", "4"]  # workers, executors, tasks (the stand-in counts __acker)


def test_list_empty(capsys, nimbus: StandInNimbus) -> None:
    code, out, _ = run(capsys, "list", "--nimbus", nimbus.address)
    assert code == 0
    assert out.strip() == f"no topologies are running on Nimbus at {nimbus.address}"


def test_list_uses_config_seeds(capsys, nimbus: StandInNimbus, tmp_path: Path) -> None:
    conf = tmp_path / "topology.yaml"
    conf.write_text(f"nimbus.seeds: ['127.0.0.1']\nnimbus.thrift.port: {nimbus.port}\n")
    code, out, err = run(capsys, "list", "--config", str(conf))
    assert code == 0, err
    assert "no topologies" in out


def test_list_reads_topology_yaml_in_current_directory(capsys, nimbus: StandInNimbus) -> None:
    Path("topology.yaml").write_text(f"nimbus.seeds: ['127.0.0.1:{nimbus.port}']\n")
    code, out, err = run(capsys, "list")
    assert code == 0, err


# ---------------------------------------------------------------- status


def test_status_all_and_one(capsys, nimbus: StandInNimbus) -> None:
    nimbus.add_running("wc", errors={"count": [
        {"error": "ValueError: bad word\nTraceback (most recent call last):",
         "error_time_secs": 1_000, "host": "w1", "port": 6700},
        {"error": "older", "error_time_secs": 10},
    ]})
    nimbus.add_running("other")
    code, out, err = run(capsys, "status", "--nimbus", nimbus.address)
    assert code == 0, err
    assert out.count("topology '") == 2
    code, out, err = run(capsys, "status", "wc", "--nimbus", nimbus.address)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("topology 'wc' (wc-") and "ACTIVE" in lines[0]
    assert lines[1].split() == ["component", "type", "executors", "tasks", "emitted/s",
                                "acked/s", "failed/s", "capacity", "latency", "ms", "process",
                                "ms", "emitted", "acked", "failed", "last", "error"]
    rows = {line.split()[0]: line for line in lines[3:]}
    assert set(rows) == {"count", "spout"}            # no __acker
    # stand-in: 100 emitted on "default" + 7 on __ack_init per executor; count has 2 executors
    count, spout = rows["count"].split(), rows["spout"].split()
    assert count[:4] + count[10:13] == ["count", "bolt", "2", "2", "200", "160", "4"]
    assert rows["count"].endswith("ago (w1:6700): ValueError: bad word")
    assert spout[:4] + spout[10:] == ["spout", "spout", "1", "1", "100", "90", "3"]


def test_status_unknown_name(capsys, nimbus: StandInNimbus) -> None:
    code, _, err = run(capsys, "status", "ghost", "--nimbus", nimbus.address)
    assert code == 2
    assert err.strip() == (f"petrel status: error: topology 'ghost' is not running on Nimbus at "
                           f"{nimbus.address}; 'petrel list' shows the running topologies")


# ---------------------------------------------------------------- kill / activate / deactivate


def test_kill_with_wait(capsys, nimbus: StandInNimbus) -> None:
    nimbus.add_running("wc")
    code, out, err = run(capsys, "kill", "wc", "--wait", "5", "--nimbus", nimbus.address)
    assert code == 0, err
    assert nimbus.calls[-1][0] == "killTopologyWithOpts"
    assert nimbus.calls[-1][1][1].wait_secs == 5
    assert "removes it after 5 s" in out
    assert nimbus.topologies["wc"].status == "KILLED"


def test_kill_without_wait_sends_empty_options(capsys, nimbus: StandInNimbus) -> None:
    nimbus.add_running("wc")
    code, _, err = run(capsys, "kill", "wc", "--nimbus", nimbus.address)
    assert code == 0, err
    assert nimbus.frames[-1].endswith(b"\x0c\x00\x02\x00\x00")  # KillOptions{}: empty struct


@pytest.mark.parametrize("verb", ["kill", "activate", "deactivate", "rebalance"])
def test_unknown_name(capsys, nimbus: StandInNimbus, verb: str) -> None:
    code, out, err = run(capsys, verb, "ghost", "--nimbus", nimbus.address)
    assert code == 2
    assert err.strip() == (f"petrel {verb}: error: topology 'ghost' is not running on Nimbus at "
                           f"{nimbus.address}; 'petrel list' shows the running topologies")
    assert "Traceback" not in err


def test_activate_deactivate(capsys, nimbus: StandInNimbus) -> None:
    nimbus.add_running("wc")
    assert run(capsys, "deactivate", "wc", "--nimbus", nimbus.address)[:2] == (
        0, "deactivated topology 'wc'\n")
    assert nimbus.topologies["wc"].status == "INACTIVE"
    assert run(capsys, "activate", "wc", "--nimbus", nimbus.address)[0] == 0
    assert nimbus.topologies["wc"].status == "ACTIVE"


def test_not_authorized(capsys, nimbus: StandInNimbus) -> None:
    nimbus.add_running("wc")
    nimbus.deny.add("activate")
    code, _, err = run(capsys, "activate", "wc", "--nimbus", nimbus.address)
    assert code == 2
    assert "anonymous user is not authorized to activate" in err


# ---------------------------------------------------------------- rebalance


def test_rebalance_options(capsys, nimbus: StandInNimbus) -> None:
    nimbus.add_running("wc")
    code, out, err = run(capsys, "rebalance", "wc", "--workers", "3", "-e", "count=4",
                         "--executors", "spout=2", "--wait", "0", "--nimbus", nimbus.address)
    assert code == 0, err
    options = nimbus.calls[-1][1][1]
    assert (options.wait_secs, options.num_workers, options.num_executors) == (
        0, 3, {"count": 4, "spout": 2})
    assert out.strip() == ("rebalancing topology 'wc' in 0 s (workers -> 3, count -> 4 executors, "
                           "spout -> 2 executors)")
    assert nimbus.topologies["wc"].status == "REBALANCING"


def test_rebalance_unknown_component(capsys, nimbus: StandInNimbus) -> None:
    nimbus.add_running("wc")
    code, _, err = run(capsys, "rebalance", "wc", "-e", "nope=2", "--nimbus", nimbus.address)
    assert code == 2
    assert "Nimbus refused to rebalance 'wc': Component nope does not exist" in err


@pytest.mark.parametrize("args, words", [
    (["-e", "count"], "write COMPONENT=N"),
    (["-e", "count=x"], "not a whole number"),
    (["-e", "count=0"], "between 1 and 2147483647"),
    (["-e", "count=99999999999"], "between 1 and 2147483647"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--wait", "-1"], "--wait must be 0 or more"),
])
def test_rebalance_bad_options(capsys, nimbus: StandInNimbus, args: list[str], words: str) -> None:
    code, _, err = run(capsys, "rebalance", "wc", *args, "--nimbus", nimbus.address)
    assert code == 2 and words in err
    assert nimbus.calls == []


@pytest.mark.parametrize("argv, words", [
    (["rebalance", "wc", "--workers", "99999999999"], "'99999999999' is too large"),
    (["rebalance", "wc", "--wait", "2147483648"], "'2147483648' is too large"),
    (["kill", "wc", "--wait", "99999999999"], "'99999999999' is too large"),
    (["list", "--timeout", "-1"], "'-1' must be greater than 0"),
    (["list", "--timeout", "nan"], "'nan' must be a number of seconds up to"),
    (["status", "--timeout", "1e308"], "'1e308' must be a number of seconds up to"),
])
def test_numbers_nimbus_cannot_take_are_refused_before_any_call(
        capsys, nimbus: StandInNimbus, argv: list[str], words: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--nimbus", nimbus.address])
    assert exit_.value.code == 2
    assert words in capsys.readouterr().err
    assert nimbus.calls == []


# ---------------------------------------------------------------- unreachable, wrong ports


def test_refused_port_message(capsys) -> None:
    port = _free_port()
    code, _, err = run(capsys, "list", "--nimbus", f"127.0.0.1:{port}")
    assert code == 2
    assert err.strip() == (f"petrel list: error: cannot connect to Nimbus at 127.0.0.1:{port} "
                           "(connection refused); check --nimbus")


def test_refused_port_hint_names_the_config(capsys, tmp_path: Path) -> None:
    port = _free_port()
    conf = tmp_path / "topology.yaml"
    conf.write_text(f"nimbus.seeds: ['127.0.0.1:{port}']\n")
    code, _, err = run(capsys, "kill", "wc", "--config", str(conf))
    assert code == 2
    assert err.strip().endswith(f"(connection refused); check --nimbus or nimbus.seeds in {conf}")


def test_silent_port_times_out(capsys) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        port = s.getsockname()[1]
        code, _, err = run(capsys, "list", "--nimbus", f"127.0.0.1:{port}", "--timeout", "0.3")
    assert code == 2
    assert f"Nimbus at 127.0.0.1:{port} did not answer getLeader within 0.3 s" in err


def test_subprocess_cli_has_no_traceback() -> None:
    """The real command line, in a real process: one line, non-zero exit, no traceback."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "petrel.cli", "kill", "wc", "--nimbus", f"127.0.0.1:{port}"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"petrel kill: error: cannot connect to Nimbus at "
                                   f"127.0.0.1:{port} (connection refused); check --nimbus")
