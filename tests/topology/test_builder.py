"""The create.py builder: every declaration method, as Storm's and old Petrel's builders offer."""

from __future__ import annotations

import pytest

from petrel.emitter import JavaBolt, JavaSpout, ShellBolt, ShellSpout, Stream
from petrel.topology.builder import JavaArg, TopologyBuilder, java_arg
from petrel.topology.model import GroupingDef, JavaObjectDef, StreamDef


def builder_with_spout() -> TopologyBuilder:
    b = TopologyBuilder()
    b.setSpout(
        "s",
        ShellSpout("node", "spout.js", {"default": ["a", "b"], "side": Stream(["c"], direct=True)}),
    )
    return b


def test_every_grouping_with_and_without_stream_chains() -> None:
    b = builder_with_spout()
    b.setSpout("t", ShellSpout("python3", "t.py", ["a"]))
    declarer = b.setBolt("x", ShellBolt("python3", "x.py", ["y"]), 4)
    out = (
        declarer.shuffleGrouping("s")
        .localOrShuffleGrouping("t")
        .allGrouping("s", "side")
        .noneGrouping("x")
        .setNumTasks(8)
    )
    assert out is declarer
    b.setBolt("g", ShellBolt("python3", "g.py", [])).globalGrouping("s")
    b.setBolt("f", ShellBolt("python3", "f.py", [])).fieldsGrouping("s", ["a", "b"])
    b.setBolt("j", ShellBolt("python3", "j.py", [])).fieldsGrouping(
        "s", "default", ["b"]
    )  # Java order
    b.setBolt("k", ShellBolt("python3", "k.py", [])).fieldsGrouping("s", ["a"], stream="default")
    b.setBolt("d", ShellBolt("python3", "d.py", [])).directGrouping("s", "side")
    assert not b.problems
    topo = b.createTopology()
    x = topo.components["x"]
    assert x.inputs == {
        ("s", "default"): GroupingDef("shuffle"),
        ("t", "default"): GroupingDef("local_or_shuffle"),
        ("s", "side"): GroupingDef("all"),
        ("x", "default"): GroupingDef("none"),
    }
    assert (x.parallelism, x.num_tasks, x.tasks) == (4, 8, 8)
    assert topo.components["g"].inputs == {("s", "default"): GroupingDef("global")}
    assert topo.components["f"].inputs[("s", "default")] == GroupingDef("fields", ["a", "b"])
    assert topo.components["j"].inputs[("s", "default")] == GroupingDef("fields", ["b"])
    assert topo.components["k"].inputs[("s", "default")] == GroupingDef("fields", ["a"])
    assert topo.components["d"].inputs == {("s", "side"): GroupingDef("direct")}
    assert topo.components["s"].streams["side"] == StreamDef(["c"], direct=True)


def test_configuration_merges_component_conf_and_declarer_calls() -> None:
    b = TopologyBuilder()
    (
        b.setSpout("s", ShellSpout("python3", "s.py", ["a"]))
        .addConfiguration("topology.max.spout.pending", 10)
        .addConfigurations({"my.key": "v", "topology.debug": True})
        .setMaxTaskParallelism(3)
    )
    assert b.createTopology().components["s"].conf == {
        "topology.max.spout.pending": 10,
        "my.key": "v",
        "topology.debug": True,
        "topology.max.task.parallelism": 3,
    }


def test_add_output_stream_keeps_old_petrel_code_working() -> None:
    b = builder_with_spout()
    b.addOutputStream("s", "errors", ["msg"])
    b.addOutputStream("s", "direct_out", ["v"], direct=True)
    b.addOutputStream("s", "default", ["a", "b"])  # same as declared: fine
    streams = b.createTopology().components["s"].streams
    assert streams["errors"] == StreamDef(["msg"]) and streams["direct_out"].direct
    assert not b.problems
    b.addOutputStream("s", "default", ["z"])
    b.addOutputStream("nope", "x", ["a"])
    assert b.problems == [
        "spout 's': stream 'default' is declared twice with different fields (['a', 'b'] by "
        "declareOutputFields, ['z'] by addOutputStream); keep one",
        "addOutputStream('nope', 'x', ...): no component 'nope' has been declared; call it after "
        "setSpout/setBolt, with the component id",
    ]


def test_java_components_and_argument_types() -> None:
    b = TopologyBuilder()
    b.setSpout(
        "k",
        JavaSpout(
            "org.apache.storm.kafka.spout.KafkaSpout",
            ["broker:9092", 5, 2**33, False, 0.5, b"\x01", JavaArg.long(5), ("double", 2)],
            ["topic", "value"],
        ),
    )
    b.setBolt("j", JavaBolt("org.example.Sink")).shuffleGrouping("k")
    assert not b.problems
    topo = b.createTopology()
    assert topo.components["k"].java == JavaObjectDef(
        "org.apache.storm.kafka.spout.KafkaSpout",
        [
            ("string", "broker:9092"),
            ("int", 5),
            ("long", 2**33),
            ("bool", False),
            ("double", 0.5),
            ("binary", b"\x01"),
            ("long", 5),
            ("double", 2.0),
        ],
    )
    assert topo.components["k"].execution_command is None
    assert topo.components["j"].streams == {"default": StreamDef([])}


def test_java_argument_errors() -> None:
    assert java_arg(2**31 - 1) == ("int", 2**31 - 1) and java_arg(2**31) == ("long", 2**31)
    for bad in (None, [1], 2**64, JavaArg.int(2**31), ("bool", 1)):
        with pytest.raises(ValueError):
            java_arg(bad)
    b = TopologyBuilder()
    b.setSpout("k", JavaSpout("not a class", [None], ["x"]))
    assert b.problems[0].startswith("spout 'k': JavaSpout: 'not a class' is not a Java class name")
    assert b.problems[1].startswith(
        "spout 'k': JavaSpout: constructor argument 1: None (NoneType) has no Java type"
    )


def test_custom_groupings() -> None:
    b = builder_with_spout()
    (
        b.setBolt("c", ShellBolt("python3", "c.py", []))
        .customGrouping("s", "org.example.Partial", args=[3])
        .customGrouping("s", b"\xac\xed\x00\x05", "side")
    )
    assert not b.problems
    inputs = b.createTopology().components["c"].inputs
    assert inputs[("s", "default")] == GroupingDef(
        "custom_object", java_object=JavaObjectDef("org.example.Partial", [("int", 3)])
    )
    assert inputs[("s", "side")] == GroupingDef("custom_serialized", serialized=b"\xac\xed\x00\x05")


def test_declaration_mistakes_are_collected() -> None:
    b = builder_with_spout()
    (
        b.setBolt("x", ShellBolt("python 3", "", "word"))
        .fieldsGrouping("s", "a")
        .fieldsGrouping("s", [])
        .shuffleGrouping("s")
        .shuffleGrouping("s")
    )
    b.setBolt("y", object())
    b.setSpout("z", ShellBolt("python3", "z.py", ["a", "a"]))
    assert b.problems == [
        "bolt 'x': ShellBolt execution_command 'python 3' must be one program name or path "
        "without spaces (Storm runs [execution_command, script] without a shell)",
        "bolt 'x': ShellBolt script '' must be the path of the script, relative to the topology "
        "directory",
        "bolt 'x': declareOutputFields(): output fields must be a list of names, got the string "
        "'word'; write ['word']",
        "bolt 'x': fieldsGrouping('s', 'a'): fields must be a list of field names, e.g. ['word']",
        "bolt 'x': fieldsGrouping('s', []) has no fields; use globalGrouping('s') to send "
        "everything to one task",
        "bolt 'x': subscribes to stream 'default' of 's' twice; keep one grouping per source "
        "stream",
        "bolt 'y': setBolt got object, which is not a component; give an instance of a "
        "petrel.emitter Spout/Bolt/BasicBolt subclass, or a "
        "ShellSpout/ShellBolt/JavaSpout/JavaBolt",
        "spout 'z': a ShellBolt is a bolt; declare it with setBolt",
        "spout 'z': declareOutputFields(): field 'a' is declared twice; field names must be unique",
    ]


def test_declare_output_fields_errors_do_not_escape() -> None:
    class Broken(ShellSpout):
        def declareOutputFields(self):  # type: ignore[override]
            raise RuntimeError("oops")

    b = TopologyBuilder()
    b.setSpout("s", Broken("python3", "s.py", []))
    assert b.problems == ["spout 's': Broken.declareOutputFields() raised RuntimeError: oops"]
