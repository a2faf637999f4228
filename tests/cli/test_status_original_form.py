"""``petrel status``: the original Petrel's form ``petrel status NIMBUS_HOST`` and its
``--topology``, ``--worker`` and ``--port`` options, against the stand-in Nimbus."""

from __future__ import annotations

import pytest
from nimbus_standin import StandInNimbus

from petrel.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_host_argument_is_read_as_nimbus_with_a_note(capsys, nimbus: StandInNimbus) -> None:
    nimbus.add_running("wc")
    nimbus.add_running("other")
    code, out, err = run(capsys, "status", nimbus.address)
    assert code == 0, err
    assert out.count("topology '") == 2
    assert err == (f"petrel status: note: '{nimbus.address}' is read as the Nimbus host (the "
                   f"original Petrel's form); write 'petrel status --nimbus {nimbus.address}'\n")


def test_the_original_topology_option(capsys, nimbus: StandInNimbus) -> None:
    nimbus.add_running("wc")
    nimbus.add_running("other")
    code, out, err = run(capsys, "status", nimbus.address, "--topology", "wc")
    assert code == 0, err
    assert out.startswith("topology 'wc' (") and "topology 'other'" not in out
    assert err.endswith(f"write 'petrel status --nimbus {nimbus.address} wc'\n")


def test_a_plain_name_is_still_a_topology(capsys, nimbus: StandInNimbus) -> None:
    code, _, err = run(capsys, "status", "ghost", "--nimbus", nimbus.address)
    assert code == 2
    assert "topology 'ghost' is not running" in err and "note" not in err


def test_a_dotted_name_with_nimbus_says_what_a_topology_name_may_hold(
        capsys, nimbus: StandInNimbus) -> None:
    code, _, err = run(capsys, "status", "nimbus.example.com", "--nimbus", nimbus.address)
    assert code == 2
    assert err.startswith("petrel status: error: topology name 'nimbus.example.com' contains "
                          "'.', which Storm does not allow")


def test_topology_and_nimbus_options_together_are_refused(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["status", "h1", "--topology", "wc", "--nimbus", "h2"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: petrel status ")
    assert "argument --nimbus: not allowed with argument --topology" in err


def test_worker_and_port_keep_only_the_executors_there(capsys, nimbus: StandInNimbus) -> None:
    nimbus.add_running("wc")   # the stand-in puts every executor on 127.0.0.1:6700
    code, out, err = run(capsys, "status", "wc", "--nimbus", nimbus.address, "--port", "6700",
                         "--worker", "127.0.0.1")
    assert code == 0, err
    assert {line.split()[0] for line in out.splitlines()[3:]} == {"count", "spout"}
    code, out, err = run(capsys, "status", "wc", "--nimbus", nimbus.address, "--port", "6701")
    assert code == 0, err
    assert out.splitlines()[1] == "(no executors on that worker)"
    code, out, err = run(capsys, "status", "wc", "--nimbus", nimbus.address, "--worker", "w9")
    assert out.splitlines()[1] == "(no executors on that worker)"
