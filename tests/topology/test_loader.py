"""Loading create.py: the definition, the builder results, overrides, and every bad input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import pytest

from petrel.errors import PetrelError
from petrel.topology.loader import load_topology, split_definition
from petrel.topology.model import GroupingDef, StreamDef, launcher_script

MakeTopology = Callable[..., Path]


def load_error(topo_dir: Path, definition: str = "create.create", conf: dict | None = None) -> str:
    with pytest.raises(PetrelError) as info:
        load_topology(topo_dir, definition, conf or {})
    return info.value.message


def test_word_count_loads_into_the_model(make_topology: MakeTopology) -> None:
    topo = load_topology(make_topology(), "create.create", {"topology.workers": 2})
    assert list(topo.components) == ["spout", "split", "count"]
    spout, split, count = topo.components.values()
    assert (spout.kind, split.kind, count.kind) == ("spout", "bolt", "bolt")
    assert spout.module == "randomsentence" and spout.script == launcher_script("randomsentence")
    assert split.execution_command == "python3"
    assert split.streams == {"default": StreamDef(["word"])}
    assert split.inputs == {("spout", "default"): GroupingDef("shuffle")}
    assert count.inputs == {("split", "default"): GroupingDef("fields", ["word"])}
    assert (spout.parallelism, split.parallelism, count.parallelism) == (1, 2, 3)
    assert count.conf == {"topology.tick.tuple.freq.secs": 60}
    assert topo.conf == {"topology.workers": 2}


def test_loading_leaves_no_modules_or_path_behind(make_topology: MakeTopology) -> None:
    path_before = list(sys.path)
    modules_before = {name: sys.modules.get(name) for name in ("create", "splitsentence")}
    first = make_topology()
    load_topology(first, "create.create", {})
    assert sys.path == path_before
    assert {name: sys.modules.get(name) for name in modules_before} == modules_before
    # A second directory with the same module names gets its own modules, not cached ones.
    second = make_topology(
        create="""
        from randomsentence import RandomSentenceSpout
        def create(builder):
            builder.setSpout("only", RandomSentenceSpout())
        """
    )
    assert list(load_topology(second, "create.create", {}).components) == ["only"]


def test_petrel_python_and_other_definition(make_topology: MakeTopology) -> None:
    topo_dir = make_topology(
        files={
            "defs/__init__.py": "",
            "defs/small.py": """
        from randomsentence import RandomSentenceSpout
        def build(builder):
            builder.setSpout("s", RandomSentenceSpout())
        """,
        }
    )
    topo = load_topology(topo_dir, "defs.small.build", {"petrel.python": "/opt/py/bin/python3.11"})
    assert topo.components["s"].execution_command == "/opt/py/bin/python3.11"


def test_components_in_a_package_and_without_script(make_topology: MakeTopology) -> None:
    topo_dir = make_topology(
        create="""
        from randomsentence import RandomSentenceSpout
        from pkg.bolts import Upper
        def create(builder):
            builder.setSpout("s", RandomSentenceSpout())
            builder.setBolt("u", Upper()).shuffleGrouping("s")
        """,
        files={
            "pkg/__init__.py": "",
            "pkg/bolts.py": """
        from petrel.emitter import Bolt
        class Upper(Bolt):
            def declareOutputFields(self):
                return {"default": ["w"], "errors": ["e"]}
        """,
        },
    )
    u = load_topology(topo_dir, "create.create", {}).components["u"]
    assert u.module == "pkg.bolts" and u.script == "_petrel_launch_pkg.bolts.py"
    assert u.streams == {"default": StreamDef(["w"]), "errors": StreamDef(["e"])}


def test_parallelism_overrides_by_id_and_module(make_topology: MakeTopology) -> None:
    conf = {"petrel.parallelism.split": 5, "petrel.parallelism.wordcount": 7}
    topo = load_topology(make_topology(), "create.create", conf)
    assert topo.components["split"].parallelism == 5
    assert topo.components["count"].parallelism == 7


def test_unknown_or_bad_parallelism_override(make_topology: MakeTopology) -> None:
    msg = load_error(make_topology(), conf={"petrel.parallelism.splitter": 2})
    assert msg.startswith("topology.yaml: 'petrel.parallelism.splitter' matches no component")
    assert "split" in msg and "splitsentence" in msg
    msg = load_error(make_topology(), conf={"petrel.parallelism.split": 0})
    assert "'petrel.parallelism.split' = 0 must be a positive integer" in msg


def test_missing_create_py(make_topology: MakeTopology) -> None:
    topo_dir = make_topology(files={"create.py": None})
    msg = load_error(topo_dir)
    assert "create.py: not found" in msg and "def create(builder)" in msg


def test_create_py_elsewhere_on_sys_path_is_not_used(make_topology: MakeTopology,
                                                     tmp_path: Path) -> None:
    other = make_topology()  # a complete topology, left on sys.path as some tools do
    sys.path.insert(0, str(other))
    try:
        msg = load_error(make_topology(files={"create.py": None}))
    finally:
        sys.path.remove(str(other))
    assert "create.py: not found" in msg


def test_missing_create_function(make_topology: MakeTopology) -> None:
    msg = load_error(make_topology(create="def make(builder):\n    pass\n"))
    assert msg == (
        "create.py has no function 'create'; define 'def create(builder): ...' "
        "or pass --definition MODULE.FUNCTION"
    )


def test_bad_definition_syntax() -> None:
    with pytest.raises(PetrelError, match="must be MODULE.FUNCTION"):
        split_definition("create")
    assert split_definition("a.b.c") == ("a.b", "c")


def test_exception_inside_create_names_file_and_line(make_topology: MakeTopology) -> None:
    topo_dir = make_topology(
        create="""
        def create(builder):
            x = {}
            return x["missing"]
        """
    )
    with pytest.raises(PetrelError) as info:
        load_topology(topo_dir, "create.create", {})
    msg = info.value.message
    assert msg.startswith(
        "create.py: create(builder) raised KeyError: 'missing' (create.py line 3, in create)"
    )
    assert "--debug" in msg
    assert isinstance(info.value.__cause__, KeyError)  # the traceback stays available for --debug


def test_syntax_error_and_import_error_in_create(make_topology: MakeTopology) -> None:
    msg = load_error(make_topology(create="def create(builder)\n    pass\n"))
    assert msg.startswith("create.py line 1: SyntaxError:")
    msg = load_error(make_topology(create="import no_such_module_xyz\ndef create(b):\n    pass\n"))
    assert (
        "importing create raised ModuleNotFoundError: No module named 'no_such_module_xyz'" in msg
    )
    assert "create.py line 1" in msg


def test_sys_exit_inside_create_is_reported(make_topology: MakeTopology) -> None:
    msg = load_error(make_topology(create="import sys\ndef create(b):\n    sys.exit(3)\n"))
    assert "create(builder) raised SystemExit: 3" in msg


def test_unknown_source_component(make_topology: MakeTopology) -> None:
    msg = load_error(
        make_topology(
            create="""
        from randomsentence import RandomSentenceSpout
        from splitsentence import SplitSentenceBolt
        from wordcount import WordCountBolt
        def create(builder):
            builder.setSpout("spout", RandomSentenceSpout())
            builder.setBolt("split", SplitSentenceBolt()).shuffleGrouping("spout")
            builder.setBolt("count", WordCountBolt()).fieldsGrouping("splitter", ["word"])
        """
        )
    )
    assert msg == (
        "create.py: bolt 'count' subscribes to stream 'default' of 'splitter', which "
        "does not exist; components are: spout, split, count"
    )


def test_several_problems_are_reported_together(make_topology: MakeTopology) -> None:
    msg = load_error(
        make_topology(
            create="""
        from randomsentence import RandomSentenceSpout
        from splitsentence import SplitSentenceBolt
        from wordcount import WordCountBolt
        def create(builder):
            builder.setSpout("spout", RandomSentenceSpout()).shuffleGrouping("count")
            builder.setBolt("split", SplitSentenceBolt(), 0).shuffleGrouping("spout", "tweets")
            builder.setBolt("count", WordCountBolt()).fieldsGrouping("split", ["wrd"])
            builder.setBolt("count", WordCountBolt())
        """
        ),
        conf={"topology.workers": "two"},
    )
    lines = msg.splitlines()
    assert lines[0] == "6 problems:"
    assert lines[1:] == [
        "  - create.py: bolt 'count': the component id 'count' is already used by the bolt "
        "declared earlier; ids must be unique",
        "  - create.py: spout 'spout' subscribes to 'count', but a spout may not declare inputs; "
        "make it a bolt (setBolt) or remove the grouping",
        "  - create.py: bolt 'split': parallelism 0 must be a positive integer",
        "  - create.py: bolt 'split' subscribes to stream 'tweets' of 'spout', which does not "
        "exist; 'spout' declares the streams: 'default'",
        "  - create.py: bolt 'count': fields grouping on 'wrd' but 'split' declares ['word'] on "
        "stream 'default'",
        "  - topology.yaml: 'topology.workers' = 'two' must be an integer between -2147483648 "
        "and 2147483647 (write a number, e.g. 2)",
    ]


def test_component_outside_topology_dir_or_in_main(
    make_topology: MakeTopology, tmp_path: Path
) -> None:
    msg = load_error(
        make_topology(
            create="""
        from petrel.emitter import BasicBolt
        from randomsentence import RandomSentenceSpout
        def create(builder):
            builder.setSpout("s", RandomSentenceSpout())
            builder.setBolt("b", BasicBolt()).shuffleGrouping("s")
        """
        )
    )
    assert "bolt 'b': BasicBolt is petrel's own class (petrel.emitter)" in msg
    assert "outside the topology directory" in msg
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 1\n")
    msg = load_error(
        make_topology(
            create=f"""
        from randomsentence import RandomSentenceSpout
        def create(builder):
            spout = RandomSentenceSpout()
            spout.script = {str(outside)!r}
            builder.setSpout("s", spout)
        """
        )
    )
    assert f"spout 's': script='{outside}' is outside the topology directory" in msg


def test_script_module_that_does_not_hold_the_component(make_topology: MakeTopology) -> None:
    msg = load_error(
        make_topology(
            files={"helpers.py": "X = 1\n"},
            create="""
        from randomsentence import RandomSentenceSpout
        def create(builder):
            spout = RandomSentenceSpout()
            spout.script = "helpers.py"
            builder.setSpout("s", spout)
        """,
        )
    )
    assert (
        "spout 's': module 'helpers' neither defines RandomSentenceSpout nor a run() function"
        in msg
    )


def test_class_instead_of_instance_and_wrong_kind(make_topology: MakeTopology) -> None:
    msg = load_error(
        make_topology(
            create="""
        from randomsentence import RandomSentenceSpout
        from splitsentence import SplitSentenceBolt
        def create(builder):
            builder.setSpout("s", RandomSentenceSpout)
            builder.setSpout("t", SplitSentenceBolt())
        """
        )
    )
    assert (
        "spout 's': setSpout got the class RandomSentenceSpout, not an instance; write "
        "RandomSentenceSpout()"
        in msg
    )
    assert "spout 't': SplitSentenceBolt is not a Spout; declare it with setBolt" in msg


def test_topology_without_spout(make_topology: MakeTopology) -> None:
    msg = load_error(
        make_topology(
            create="""
        from splitsentence import SplitSentenceBolt
        def create(builder):
            builder.setBolt("split", SplitSentenceBolt())
        """
        )
    )
    assert msg == "create.py: the topology has no spout; declare one with builder.setSpout(...)"


def test_petrel_python_with_space(make_topology: MakeTopology) -> None:
    msg = load_error(make_topology(), conf={"petrel.python": "python 3"})
    assert msg == ("topology.yaml: petrel.python must be one interpreter name or path without "
                   "spaces (Storm does not split it), got 'python 3'; use e.g. python3 or "
                   "/usr/bin/python3.11")


def test_builder_petrel_error_is_prefixed(make_topology: MakeTopology) -> None:
    msg = load_error(
        make_topology(
            create="""
        from petrel.errors import PetrelError
        def create(builder):
            raise PetrelError("bad things")
        """
        )
    )
    assert msg == "create.py: bad things"
