"""``petrel submit NAME`` adds -DJSON_SMART_SIMPLE=true to topology.worker.childopts for a
multilang direct stream (Storm 2.6+ workers crash on direct emits without it)."""

from __future__ import annotations

import argparse
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cluster_samples import word_count
from nimbus_standin import StandInNimbus

from petrel.cluster.commands import submit_to_cluster
from petrel.cluster.jsonsmart import (
    conf_for_direct_emits,
    shell_direct_streams,
    unset_option_warning,
    with_json_smart_option,
)
from petrel.topology.model import ComponentDef, JavaObjectDef, StreamDef, TopologyDef
from petrel.topology.validate import petrel_key_problem

OPTION = "-DJSON_SMART_SIMPLE=true"
KEY = "topology.worker.childopts"


def _with_direct_stream() -> TopologyDef:
    topo = word_count()
    topo.components["split"].streams["to-one"] = StreamDef(["word"], direct=True)
    return topo


def test_a_topology_without_direct_streams_is_submitted_as_it_is() -> None:
    conf = {KEY: "-Xmx1g"}
    assert conf_for_direct_emits(conf, word_count()) == (conf, None)


def test_a_direct_stream_adds_the_option_when_childopts_is_unset() -> None:
    conf, note = conf_for_direct_emits({"topology.workers": 1}, _with_direct_stream())
    assert conf == {"topology.workers": 1, KEY: OPTION}
    assert note is not None and "split/to-one" in note and "petrel.json_smart_simple" in note


def test_the_users_childopts_string_is_kept_and_extended() -> None:
    original = {KEY: "-Xmx1g -Dfoo=bar"}
    conf, _ = conf_for_direct_emits(original, _with_direct_stream())
    assert conf[KEY] == f"-Xmx1g -Dfoo=bar {OPTION}"
    assert original == {KEY: "-Xmx1g -Dfoo=bar"}   # the caller's conf is not changed


def test_the_users_childopts_list_stays_a_list() -> None:
    conf, _ = conf_for_direct_emits({KEY: ["-Xmx1g", "-Dfoo=bar"]}, _with_direct_stream())
    assert conf[KEY] == ["-Xmx1g", "-Dfoo=bar", OPTION]


@pytest.mark.parametrize("childopts", [
    "-Xmx1g -DJSON_SMART_SIMPLE=true",
    ["-DJSON_SMART_SIMPLE=true"],
    # json-smart looks only at whether the property is set: the user's own value stays
    "-DJSON_SMART_SIMPLE=yes",
])
def test_an_option_the_user_set_is_not_added_again(childopts: Any) -> None:
    conf = {KEY: childopts}
    assert conf_for_direct_emits(conf, _with_direct_stream()) == (conf, None)


def test_petrel_json_smart_simple_false_turns_it_off() -> None:
    conf = {"petrel.json_smart_simple": False}
    assert conf_for_direct_emits(conf, _with_direct_stream()) == (conf, None)


def test_a_jvm_components_direct_stream_needs_no_option() -> None:
    topo = word_count()
    topo.components["java"] = ComponentDef(
        "java", "bolt", streams={"direct": StreamDef(["x"], direct=True)},
        java=JavaObjectDef("org.example.Bolt"))
    assert shell_direct_streams(topo) == []
    assert shell_direct_streams(_with_direct_stream()) == ["split/to-one"]


@pytest.mark.parametrize("value", [None, "", "  "])
def test_empty_childopts_become_the_option_alone(value: Any) -> None:
    assert with_json_smart_option(value) == OPTION


@pytest.mark.parametrize("value, problem", [
    (False, False), (True, False), ("false", True), (0, True),
])
def test_the_key_is_a_known_petrel_setting_that_takes_a_boolean(value: Any,
                                                                 problem: bool) -> None:
    found = petrel_key_problem("petrel.json_smart_simple", value)
    assert (found is not None) is problem, found
    if problem:
        assert "must be true or false" in str(found)


def _args(nimbus: StandInNimbus, **extra: Any) -> argparse.Namespace:
    return argparse.Namespace(name="wc", nimbus=nimbus.address, timeout=5.0, inactive=False,
                              force=False, via_storm_cli=False, config=None, **extra)


def _built(tmp_path: Path, conf: dict[str, Any]) -> SimpleNamespace:
    jar = tmp_path / "t.jar"
    jar.write_bytes(b"not a zip: the model is encoded instead")
    return SimpleNamespace(jar=jar, topology=_with_direct_stream(), conf=conf, name="wc")


def test_submit_sends_the_option_to_nimbus_and_says_so(
        capsys: pytest.CaptureFixture[str], nimbus: StandInNimbus, tmp_path: Path) -> None:
    built = _built(tmp_path, {KEY: "-Xmx512m"})
    assert submit_to_cluster(_args(nimbus), built) == 0
    assert nimbus.topologies["wc"].conf[KEY] == f"-Xmx512m {OPTION}"
    assert nimbus.topologies["wc"].topology.bolts["split"].common.streams["to-one"].direct
    assert built.conf == {KEY: "-Xmx512m"}
    out = capsys.readouterr().out
    assert f"petrel submit: added {OPTION} to {KEY}" in out


def test_submit_with_the_key_off_sends_childopts_unchanged(
        capsys: pytest.CaptureFixture[str], nimbus: StandInNimbus, tmp_path: Path) -> None:
    built = _built(tmp_path, {"petrel.json_smart_simple": False})
    assert submit_to_cluster(_args(nimbus), built) == 0
    assert KEY not in nimbus.topologies["wc"].conf
    assert "JSON_SMART_SIMPLE" not in capsys.readouterr().out


def test_via_storm_cli_only_warns_since_it_submits_topology_yaml_as_it_is() -> None:
    warning = unset_option_warning({}, _with_direct_stream())
    assert warning is not None and OPTION in warning and "topology.yaml" in warning
    assert unset_option_warning({KEY: OPTION}, _with_direct_stream()) is None
    assert unset_option_warning({"petrel.json_smart_simple": False},
                                _with_direct_stream()) is None
    assert unset_option_warning({}, word_count()) is None
