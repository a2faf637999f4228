"""The ``petrel`` command line itself, run as a user runs it (a real subprocess)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import petrel_cli

import petrel


def test_a_mistyped_option_gets_the_commands_usage_and_a_suggestion() -> None:
    done = petrel_cli("submit", "--duraton", "5")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: petrel submit ")
    assert done.stderr.rstrip().endswith(
        "petrel submit: error: unrecognized arguments: --duraton; did you mean --duration?")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("args", "usage", "guess"), [
    (["kill", "wc", "--wiat", "3"], "usage: petrel kill ", "did you mean --wait?"),
    (["storm", "up", "--slotz", "3"], "usage: petrel storm up ", "did you mean --slots?"),
    (["--dbug", "build"], "usage: petrel build ", "did you mean --debug?"),
    (["build", "--zzzzzz"], "usage: petrel build ", "'petrel build --help' lists the options"),
])
def test_suggestions_come_from_the_command_that_got_the_option(
        args: list[str], usage: str, guess: str) -> None:
    done = petrel_cli(*args)
    assert done.returncode == 2
    assert done.stderr.startswith(usage)
    assert done.stderr.rstrip().endswith(guess)


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    done = petrel_cli(flag)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"petrel {petrel.__version__}\n"


@pytest.mark.parametrize("order", ["before", "after"])
def test_debug_is_accepted_before_and_after_the_command(order: str, tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere" / "topology.yaml")
    args = ["--debug", "build", "--config", missing] if order == "before" \
        else ["build", "--config", missing, "--debug"]
    done = petrel_cli(*args)
    assert done.returncode == 2
    assert "Traceback (most recent call last)" in done.stderr
    assert done.stderr.rstrip().splitlines()[-1].startswith("petrel build: error: ")
    plain = petrel_cli("build", "--config", missing)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr


def test_one_cluster_option_on_a_local_run_is_one_grammatical_line() -> None:
    done = petrel_cli("submit", "--nimbus", "example:6627")
    assert done.returncode == 2
    assert done.stderr.startswith("petrel submit: error: --nimbus only applies when submitting "
                                  "to a cluster")
    both = petrel_cli("submit", "--nimbus", "example:6627", "--force")
    assert both.stderr.startswith("petrel submit: error: --force, --nimbus only apply when ")


def test_original_submit_options_are_accepted_with_one_note_each(tmp_path: Path) -> None:
    missing = str(tmp_path / "topology.yaml")
    done = petrel_cli("submit", "--sourcejar", "storm-petrel-0.9.3-SNAPSHOT.jar",
                      "--extrastormcp", str(tmp_path), "--config", missing)
    lines = done.stderr.splitlines()
    assert done.returncode == 2
    assert lines[0].startswith("petrel submit: note: --sourcejar is ignored: petrel writes the "
                               "whole topology jar itself")
    assert lines[1].startswith("petrel submit: note: --extrastormcp is ignored: a local run "
                               "starts no JVM")
    assert "topology.classpath" in lines[1]
    assert lines[2].startswith("petrel submit: error: ") and "config file not found" in lines[2]
    assert len(lines) == 3
