"""Nimbus's rules (docs/internals/thrift.md#nimbus-checks) and petrel's extra checks."""

from __future__ import annotations

import pytest

from petrel.errors import PetrelError
from petrel.topology.model import ComponentDef, GroupingDef, StreamDef, TopologyDef
from petrel.topology.thrift import load_idl, to_thrift
from petrel.topology.validate import (
    conf_problems,
    storm_topology_problems,
    topology_problems,
    validate_conf_types,
    validate_storm_topology,
    validate_topology,
    validate_topology_name,
)


def shell(
    cid: str, kind: str = "bolt", fields: list[str] | None = None, **kw: object
) -> ComponentDef:
    return ComponentDef(
        cid,
        kind,
        streams={"default": StreamDef(fields or ["x"])},  # type: ignore[arg-type]
        execution_command="python3",
        script=f"{cid}.py",
        **kw,
    )  # type: ignore[arg-type]


def topology(*comps: ComponentDef) -> TopologyDef:
    return TopologyDef(components={c.id: c for c in comps})


def test_valid_topology_passes() -> None:
    topo = topology(
        shell("s", "spout"), shell("b", inputs={("s", "default"): GroupingDef("fields", ["x"])})
    )
    validate_topology(topo)
    assert topology_problems(topo) == []


@pytest.mark.parametrize("name", ["a.b", "a/b", "a:b", "a\\b", "", None])
def test_bad_topology_names_are_rejected(name: object) -> None:
    with pytest.raises(PetrelError):
        validate_topology_name(name)


def test_good_topology_name_and_message() -> None:
    validate_topology_name("my-topo_1")
    with pytest.raises(PetrelError) as info:
        validate_topology_name("word.count")
    assert info.value.message == (
        "topology name 'word.count' contains '.', which Storm does not "
        "allow ('/', '.', ':' and '\\\\' are forbidden); use e.g. 'word-count'"
    )


def test_reserved_and_forbidden_ids() -> None:
    topo = topology(
        shell("__s", "spout"), shell("a.b", inputs={("__s", "default"): GroupingDef("shuffle")})
    )
    topo.components["a.b"].streams["__mine"] = StreamDef(["y"])
    problems = topology_problems(topo)
    assert (
        "component id '__s' starts with '__', which Storm reserves for its own components and "
        "streams; rename it"
    ) in problems
    assert any(p.startswith("component id 'a.b' contains '.'") for p in problems)
    assert any(p.startswith("bolt 'a.b': stream id '__mine' starts with '__'") for p in problems)


def test_spout_with_inputs_unknown_stream_and_missing_fields() -> None:
    topo = topology(
        shell("s", "spout", inputs={("b", "default"): GroupingDef("shuffle")}),
        shell("b", fields=["word"], inputs={("s", "other"): GroupingDef("shuffle")}),
        shell(
            "c",
            inputs={
                ("b", "default"): GroupingDef("fields", ["word", "count"]),
                ("nope", "default"): GroupingDef("all"),
            },
        ),
    )
    assert topology_problems(topo) == [
        "spout 's' subscribes to 'b', but a spout may not declare inputs; make it a bolt "
        "(setBolt) or remove the grouping",
        "bolt 'b' subscribes to stream 'other' of 's', which does not exist; 's' declares the "
        "streams: 'default'",
        "bolt 'c': fields grouping on 'count' but 'b' declares ['word'] on stream 'default'",
        "bolt 'c' subscribes to stream 'default' of 'nope', which does not exist; components "
        "are: s, b, c",
    ]


def test_fields_must_be_on_the_subscribed_stream_not_just_any_stream() -> None:
    # Nimbus accepts a field declared on another stream of the source; the worker then
    # fails at run time, so petrel refuses it up front.
    s = shell("s", "spout", fields=["a"])
    s.streams["other"] = StreamDef(["b"])
    topo = topology(s, shell("c", inputs={("s", "default"): GroupingDef("fields", ["b"])}))
    assert topology_problems(topo) == [
        "bolt 'c': fields grouping on 'b' but 's' declares ['a'] on stream 'default'"
    ]


def test_direct_grouping_needs_a_direct_stream() -> None:
    s = shell("s", "spout")
    s.streams["d"] = StreamDef(["x"], direct=True)
    topo = topology(
        s,
        shell(
            "c", inputs={("s", "default"): GroupingDef("direct"), ("s", "d"): GroupingDef("direct")}
        ),
    )
    assert topology_problems(topo) == [
        "bolt 'c': direct grouping on stream 'default' of 's', which is not a direct stream; "
        "declare it with petrel.emitter.Stream(fields, direct=True) or use another grouping"
    ]


def test_parallelism_tasks_and_implementation() -> None:
    bad = shell("b", inputs={}, parallelism=-1, num_tasks=0)
    bad.java = object()  # type: ignore[assignment]
    topo = topology(
        shell("s", "spout", parallelism=2**31), bad, shell("t", conf={"topology.tasks": 0})
    )
    assert topology_problems(topo) == [
        "spout 's': parallelism 2147483648 must be a positive integer",
        "bolt 'b': parallelism -1 must be a positive integer",
        "bolt 'b': setNumTasks(0) must be a positive integer",
        "bolt 'b' must have exactly one implementation (shell command, Java class or serialised "
        "Java object), found 2",
        "bolt 't': topology.tasks 0 gives the component no task; use 1 or more",
    ]


def test_no_spout() -> None:
    with pytest.raises(PetrelError, match="the topology has no spout"):
        validate_topology(topology(shell("b")))


def test_conf_types_and_json() -> None:
    conf = {
        "topology.workers": 2,
        "topology.message.timeout.secs": None,
        "topology.max.spout.pending": 2**31,
        "topology.shellbolt.max.pending": 0,
        "topology.acker.executors": 0,
        "topology.tick.tuple.freq.secs": True,
        "topology.debug": "yes",
        "topology.worker.childopts": ["-Xmx1g", 3],
        "topology.environment": {"A": "b"},
        "my.set": {1, 2},
        "my.tuple": (1, 2),
        "my.nan": float("nan"),
        "my.fine": {"nested": [1, "x", None]},
    }
    assert conf_problems(conf, "topology.yaml") == [
        "topology.yaml: 'topology.message.timeout.secs' must not be null; remove it or give a "
        "value",
        "topology.yaml: 'topology.max.spout.pending' = 2147483648 must be an integer between "
        "-2147483648 and 2147483647",
        "topology.yaml: 'topology.shellbolt.max.pending' = 0 must be greater than zero",
        "topology.yaml: 'topology.tick.tuple.freq.secs' = True must be an integer between "
        "-2147483648 and 2147483647",
        "topology.yaml: 'topology.debug' = 'yes' must be true or false (it is text: write the "
        "value unquoted, not through ${VAR})",
        "topology.yaml: 'topology.worker.childopts' = ['-Xmx1g', 3] must be a string or a list of "
        "strings",
        "topology.yaml: 'my.set' = {1, 2} does not survive a JSON round trip, which Storm "
        "requires; use only strings, numbers, booleans, null, lists and mappings with string keys",
        "topology.yaml: 'my.tuple' = (1, 2) does not survive a JSON round trip, which Storm "
        "requires; use only strings, numbers, booleans, null, lists and mappings with string keys",
        "topology.yaml: 'my.nan' = nan does not survive a JSON round trip, which Storm requires; "
        "use only strings, numbers, booleans, null, lists and mappings with string keys",
    ]
    with pytest.raises(PetrelError, match="3 problems"):
        validate_conf_types(
            {
                "topology.workers": 0,
                "topology.acker.executors": -1,
                "topology.stats.sample.rate": "x",
            }
        )


def test_topology_name_in_the_config_follows_storms_rule() -> None:
    assert conf_problems({"topology.name": "a/b"}, "topology.yaml") == [
        "topology.yaml: 'topology.name': topology name 'a/b' contains '/', which Storm does not "
        "allow ('/', '.', ':' and '\\\\' are forbidden); use e.g. 'a-b'"]
    assert conf_problems({"topology.name": "word-count_2"}, "topology.yaml") == []


def test_petrel_keys_are_checked_for_typos_and_values() -> None:
    conf = {"petrel.paralellism.split": 4, "petrel.pyhton": "python3",
            "petrel.on_error": "explode", "petrel.frobnicate": 1,
            "petrel.parallelism.split": 2, "petrel.python": "python3",
            "petrel.on_error ": "exit", "topology.workers": 1, "my.own.key": "x"}
    problems = conf_problems(conf, "t.yaml")
    assert problems[0].startswith("t.yaml: 'petrel.paralellism.split' is not a petrel setting; "
                                  "did you mean 'petrel.parallelism.split'?")
    assert "did you mean 'petrel.python'?" in problems[1]
    assert problems[2] == "t.yaml: 'petrel.on_error' = 'explode' must be one of continue, exit"
    assert "'petrel.frobnicate' is not a petrel setting; petrel reads" in problems[3]
    assert "'petrel.on_error ' is not a petrel setting; did you mean 'petrel.on_error'?" in (
        problems[4])
    assert len(problems) == 5
    assert conf_problems({"petrel.on_error": "exit", "petrel.pip_options": ["-q"]}) == []


def test_conf_problems_never_show_a_secret() -> None:
    conf = {
        "topology.environment": {"API_TOKEN": "hunter2", "RETRIES": 3},
        "db.password": {1, 2},
        "topology.worker.childopts": {"secret": "hunter2"},
    }
    problems = conf_problems(conf, "topology.yaml")
    assert len(problems) == 3
    assert all("hunter2" not in p for p in problems), problems
    assert problems[0] == ("topology.yaml: 'topology.environment' = {'API_TOKEN': '***', "
                           "'RETRIES': 3} must be a mapping of strings to strings")
    assert problems[1].startswith("topology.yaml: 'db.password' = '***' does not survive")


def test_component_conf_is_checked_too() -> None:
    topo = topology(shell("s", "spout", conf={"topology.tick.tuple.freq.secs": 0, 1: "x"}))
    assert topology_problems(topo) == [
        "spout 's': component config: 'topology.tick.tuple.freq.secs' = 0 must be greater than "
        "zero",
        "spout 's': component config: config key 1 is not a string; quote it",
    ]


def test_validate_storm_topology_for_a_nimbus_stand_in() -> None:
    t = load_idl()
    good = topology(
        shell("s", "spout"), shell("b", inputs={("s", "default"): GroupingDef("shuffle")})
    )
    st = to_thrift(good)
    validate_storm_topology(st)
    st.bolts["s"] = st.bolts.pop("b")
    assert storm_topology_problems(st) == ["duplicate component id 's' (in spouts and bolts)"]
    st = to_thrift(good)
    st.bolts["b"].common.inputs[t.GlobalStreamId("s", "default")] = t.Grouping(
        shuffle=t.NullStruct(), all=t.NullStruct()
    )
    assert storm_topology_problems(st) == [
        "bolt 'b' grouping: a Thrift union must have exactly one member set, found ['shuffle', "
        "'all']"
    ]


def test_the_local_runners_numbers_are_petrel_settings_checked_at_build_time() -> None:
    good = {"petrel.max.start.failures": 0, "petrel.log.max.bytes": 1 << 20,
            "petrel.log.backups": 2}
    assert conf_problems(good, "t.yaml") == []
    bad = {"petrel.max.start.failures": -1, "petrel.log.max.bytes": "10MB",
           "petrel.log.backups": True}
    problems = conf_problems(bad, "t.yaml")
    assert len(problems) == 3
    assert problems[0] == ("t.yaml: 'petrel.max.start.failures' = -1 must be a whole number "
                           ">= 0 (0: no limit)")
    assert all("must be a whole number >= 0" in p for p in problems)
