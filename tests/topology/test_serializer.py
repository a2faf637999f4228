"""``petrel.serializer`` in topology.yaml: its values, the Storm key it sets, mixed topologies."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import pytest

from petrel.errors import PetrelError
from petrel.topology.loader import load_topology
from petrel.topology.serializer import MSGPACK_CLASS, STORM_SERIALIZER_KEY, storm_conf
from petrel.topology.validate import conf_problems

MIXED_CREATE = """
from petrel.emitter import JavaBolt, ShellBolt
from randomsentence import RandomSentenceSpout
from splitsentence import SplitSentenceBolt

def create(builder):
    builder.setSpout("spout", RandomSentenceSpout(), 1)
    builder.setBolt("split", SplitSentenceBolt(), 2).shuffleGrouping("spout")
    builder.setBolt("count-node", ShellBolt("node", "count.js", ["word", "count"])
                    ).fieldsGrouping("split", ["word"])
    builder.setBolt("store-rb", ShellBolt("ruby", "store.rb", [])).shuffleGrouping("count-node")
    builder.setBolt("log-java", JavaBolt("org.example.LogBolt", [])).shuffleGrouping("split")
"""

Loader = Callable[..., Any]


@pytest.fixture
def load(make_topology: Callable[..., Path]) -> Loader:
    """``load(conf, create=None)``: load the word count (or ``create``) with ``conf``."""
    def run(conf: dict[str, Any], create: str | None = None) -> Any:
        return load_topology(make_topology(create=create), conf=conf)
    return run


def error(load: Loader, conf: dict[str, Any], create: str | None = None) -> str:
    with pytest.raises(PetrelError) as info:
        load(conf, create)
    return info.value.message


@pytest.mark.parametrize("value", ["json", "msgpack"])
def test_json_and_msgpack_are_the_values(value: str) -> None:
    assert conf_problems({"petrel.serializer": value}, "topology.yaml") == []


@pytest.mark.parametrize("value", ["msgpak", "JSON", "", 1, True, None, ["msgpack"]])
def test_any_other_value_is_one_line_naming_the_choices(value: Any) -> None:
    problems = conf_problems({"petrel.serializer": value}, "topology.yaml")
    assert len(problems) == 1
    assert problems[0].startswith("topology.yaml: 'petrel.serializer' = ")
    assert "must be json or msgpack" in problems[0]


@pytest.mark.parametrize("value", ["count-node", [1], {"count-node": True}])
def test_shell_components_must_be_a_list_of_ids(value: Any) -> None:
    problems = conf_problems({"petrel.serializer.shell_components": value})
    assert len(problems) == 1 and "must be a list of component ids" in problems[0]


def test_a_misspelt_key_is_caught() -> None:
    problems = conf_problems({"petrel.serialiser": "msgpack"})
    assert len(problems) == 1 and "did you mean 'petrel.serializer'" in problems[0]


def test_msgpack_names_petrels_class_for_storm() -> None:
    conf = {"petrel.serializer": "msgpack", "topology.workers": 2}
    assert storm_conf(conf) == {**conf, STORM_SERIALIZER_KEY: MSGPACK_CLASS}
    assert STORM_SERIALIZER_KEY not in conf     # the loaded config is not changed


@pytest.mark.parametrize("conf", [{}, {"petrel.serializer": "json"},
                                  {"topology.multilang.serializer": "org.example.Mine"}])
def test_json_leaves_storms_setting_alone(conf: dict[str, Any]) -> None:
    assert storm_conf(conf) is conf


def test_an_all_petrel_topology_loads_with_msgpack(load: Loader) -> None:
    topo = load({"petrel.serializer": "msgpack"})
    assert set(topo.components) == {"spout", "split", "count"}


def test_other_shell_components_are_refused_by_name(load: Loader) -> None:
    message = error(load, {"petrel.serializer": "msgpack"}, MIXED_CREATE)
    assert message.startswith("topology.yaml: 'petrel.serializer: msgpack' makes Storm talk "
                              "MessagePack to every shell component")
    assert "'count-node', 'store-rb';" in message
    assert "petrel.serializer.shell_components: [count-node, store-rb]" in message
    assert "'petrel.serializer: json'" in message
    # petrel's own and Java components are never the problem
    assert not re.search(r"'(spout|split|log-java)'", message)


def test_the_same_mixed_topology_loads_with_json(load: Loader) -> None:
    assert "count-node" in load({}, MIXED_CREATE).components


def test_declared_shell_components_are_accepted(load: Loader) -> None:
    conf = {"petrel.serializer": "msgpack",
            "petrel.serializer.shell_components": ["count-node", "store-rb"]}
    assert "store-rb" in load(conf, MIXED_CREATE).components


def test_an_undeclared_one_is_still_refused(load: Loader) -> None:
    conf = {"petrel.serializer": "msgpack", "petrel.serializer.shell_components": ["count-node"]}
    message = error(load, conf, MIXED_CREATE)
    assert "not written with petrel: 'store-rb';" in message


@pytest.mark.parametrize("cid, expected", [
    ("count-nod", "lists 'count-nod', which is no component of the topology; its shell "
                  "components not written with petrel are: count-node, store-rb"),
    ("split", "lists 'split', a petrel component"),
    ("log-java", "lists 'log-java', a Java component, which does not use the multilang "
                 "serializer"),
])
def test_a_declaration_naming_the_wrong_component_is_refused(load: Loader, cid: str,
                                                             expected: str) -> None:
    conf = {"petrel.serializer": "msgpack",
            "petrel.serializer.shell_components": ["count-node", "store-rb", cid]}
    message = error(load, conf, MIXED_CREATE)
    assert message.startswith("topology.yaml: 'petrel.serializer.shell_components' ")
    assert expected in message


def test_a_users_own_multilang_serializer_conflicts_with_msgpack(load: Loader) -> None:
    conf = {"petrel.serializer": "msgpack",
            "topology.multilang.serializer": "org.apache.storm.multilang.JsonSerializer"}
    message = error(load, conf)
    assert "'topology.multilang.serializer' = 'org.apache.storm.multilang.JsonSerializer' " \
           "conflicts with 'petrel.serializer: msgpack'" in message
    assert "remove one of the two" in message


def test_naming_petrels_class_directly_says_to_use_petrel_serializer(load: Loader) -> None:
    message = error(load, {"topology.multilang.serializer": MSGPACK_CLASS})
    assert "write that instead" in message and "'petrel.serializer: msgpack'" in message


def test_naming_petrels_class_with_msgpack_is_fine(load: Loader) -> None:
    load({"petrel.serializer": "msgpack", "topology.multilang.serializer": MSGPACK_CLASS})


def test_a_bad_value_is_reported_once(load: Loader) -> None:
    message = error(load, {"petrel.serializer": "msgpak"}, MIXED_CREATE)
    assert message.count("\n") == 0 and "must be json or msgpack" in message
