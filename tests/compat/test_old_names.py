"""Old Petrel's lower-level names: petrel.storm, petrel.emitter, petrel.util,
petrel.topologybuilder. Each works as before, or fails with a message naming what to use."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from petrel import mock, storm
from petrel.emitter import BasicBolt, Bolt, Component, EmitterBase, Spout
from petrel.errors import PetrelError
from petrel.topologybuilder import TopologyBuilder, TopologyError
from petrel.util import read_yaml

REPO = Path(__file__).resolve().parents[2]


# -- petrel.emitter ----------------------------------------------------------------------

class TickingBolt(BasicBolt):
    def __init__(self) -> None:
        super().__init__(script=__file__)
        self._json["topology.tick.tuple.freq.secs"] = 5

    def declareOutputFields(self) -> list:
        return ["word"]

    def process(self, tup: Any) -> None:
        storm.emitBolt([tup.values[0]])


def test_component_settings_of_old_petrel() -> None:
    bolt = TickingBolt()
    assert EmitterBase is Component and isinstance(bolt, EmitterBase)
    assert Spout.DEFAULT_PYTHON == f"python{sys.version_info[0]}.{sys.version_info[1]}"
    assert bolt.execution_command == Spout.DEFAULT_PYTHON
    assert bolt.getComponentConfiguration() == {"topology.tick.tuple.freq.secs": 5}
    assert BasicBolt().getComponentConfiguration() is None


def test_json_configuration_reaches_the_topology() -> None:
    builder = TopologyBuilder()
    builder.setSpout("spout", mock.MockSpout(["word"], []))
    builder.setBolt("tick", TickingBolt()).shuffleGrouping("spout")
    common = builder.createTopology().bolts["tick"].common
    assert '"topology.tick.tuple.freq.secs": 5' in common.json_conf


# -- petrel.storm --------------------------------------------------------------------------

class LowLevelSpout(Spout):
    def declareOutputFields(self) -> list:
        return ["n"]

    def nextTuple(self) -> None:
        if not hasattr(self, "done"):
            self.done = True
            assert storm.MODE is storm.Spout and storm.ANCHOR_TUPLE is None
            storm.emitSpout([1], id="m1")
            storm.emitManySpout([[2], [3]])


class LowLevelBolt(Bolt):
    def declareOutputFields(self) -> list:
        return ["n"]

    def process(self, tup: Any) -> None:
        assert storm.MODE is storm.Bolt
        storm.emitBolt([tup.values[0] * 10], anchors=[tup])
        storm.emitManyBolt([[0]], anchors=[tup])
        storm.ack(tup)


class AnchorBolt(BasicBolt):
    def declareOutputFields(self) -> list:
        return ["n"]

    def process(self, tup: Any) -> None:
        assert storm.MODE is storm.Bolt and storm.ANCHOR_TUPLE is tup
        storm.emit(tup.values)


def test_low_level_emits_and_mode() -> None:
    spout, bolt, last = LowLevelSpout(), LowLevelBolt(), AnchorBolt()
    result = mock.run_simple_topology(None, [spout, bolt, last])
    assert result[spout] == [[1], [2], [3]]
    assert result[bolt] == [[10], [0], [20], [0], [30], [0]]
    assert result[last] == result[bolt]
    assert result.acked == ["m1"]
    assert storm.MODE is None and storm.ANCHOR_TUPLE is None     # nothing running now


def test_emit_of_the_wrong_kind_says_which_to_use() -> None:
    class Confused(BasicBolt):
        def declareOutputFields(self) -> list:
            return ["n"]

        def process(self, tup: Any) -> None:
            storm.emitSpout([1])

    with pytest.raises(RuntimeError, match=r"storm.emitSpout is for spouts.*storm.emit"):
        mock.run_simple_topology(None, [mock.MockSpout(["n"], [[1]]), Confused()])


def test_old_classes_helpers_and_constants() -> None:
    assert (storm.Spout, storm.Bolt, storm.BasicBolt, storm.Task) == (
        Spout, Bolt, BasicBolt, Component)
    assert storm.json_decode(storm.json_encode({"a": [1]})) == {"a": [1]}
    assert storm.StormIPCException.__name__ == "ChannelClosed"
    assert storm.storm_log.name == "storm" and storm.BLANK_LINE_CHECK is True
    assert storm.initialize_profiling() is None and storm.TUPLE_PROFILING in (True, False)


def test_logstream_writes_lines_to_its_logger(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    stream = storm.LogStream(logging.getLogger("old.stdout"))
    with caplog.at_level(logging.ERROR, logger="old.stdout"):
        print("one\ntwo", file=stream)
    assert [r.getMessage() for r in caplog.records] == ["one", "two"]


@pytest.mark.parametrize("name, hint", [
    ("readMsg", "process(tup)"), ("readCommand", "nextTuple()"), ("readTuple", "process(tup)"),
    ("readTaskIds", "need_task_ids=True"), ("sendMsgToParent", "storm.emit, ack, fail"),
    ("sendFailureMsgToParent", "petrel.on_error: exit"), ("sendpid", "initialize"),
    ("initComponent", "initialize(conf, context)"), ("BoltProfiler", "DEBUG"),
    ("BasicBoltProfiler", "DEBUG"),
])
def test_pipe_level_functions_are_refused_naming_the_replacement(name: str, hint: str) -> None:
    function = getattr(storm, name)
    with pytest.raises(RuntimeError) as info:
        function("anything")
    assert f"storm.{name} is not available in petrel" in str(info.value)
    assert hint in str(info.value)


@pytest.mark.parametrize("name", ["old_stdout", "pending_commands", "pending_taskids"])
def test_pipe_level_values_are_refused_naming_the_replacement(name: str) -> None:
    with pytest.raises(AttributeError, match=f"storm.{name} is not available in petrel: "):
        getattr(storm, name)
    assert not hasattr(storm, name)


def test_old_classes_before_petrel_emitter_is_imported() -> None:
    code = ("from petrel import storm\n"
            "try:\n    storm.BasicBolt\nexcept AttributeError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True).stdout
    assert "storm.BasicBolt is petrel.emitter.BasicBolt" in out and "import petrel.emitter" in out


# -- petrel.util ---------------------------------------------------------------------------

def test_read_yaml_is_safe(tmp_path: Path) -> None:
    good = tmp_path / "topology.yaml"
    good.write_text("topology.workers: 1\nnimbus.host: localhost\n")
    assert read_yaml(str(good)) == {"topology.workers": 1, "nimbus.host": "localhost"}
    listing = tmp_path / "hosts.yaml"
    listing.write_text("- a\n- b\n")
    assert read_yaml(listing) == ["a", "b"]          # any YAML document, as before
    evil = tmp_path / "evil.yaml"
    evil.write_text("x: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ValueError, match=r"evil.yaml: YAML error at line 1.*no Python objects"):
        read_yaml(str(evil))
    with pytest.raises(FileNotFoundError, match="missing.yaml: no such YAML file"):
        read_yaml(str(tmp_path / "missing.yaml"))


# -- petrel.topologybuilder ----------------------------------------------------------------

class Words(Spout):
    def __init__(self) -> None:
        super().__init__(script="words.py")

    def declareOutputFields(self) -> dict:
        return {"default": ["word"], "other": ["word"]}


class Sink(BasicBolt):
    def __init__(self) -> None:
        super().__init__(script="sink.py")
        self.execution_command = "/opt/python3.12/bin/python"


def test_generic_grouping_write_to_a_path_and_read() -> None:
    builder = TopologyBuilder()
    builder.setSpout("words", Words(), 2)
    (builder.setBolt("sink", Sink(), 3)
        .grouping("words", "fields", ["word"], "default")
        .grouping("words", "all", None, "other"))
    builder.setBolt("global", Sink()).grouping("words", "fields", [], "default")
    builder.setBolt("shuffled", Sink()).grouping("words", "local_or_shuffle", None, "default")
    buffer = io.BytesIO()
    written = builder.write(buffer)
    topology = builder.read(io.BytesIO(buffer.getvalue()))
    assert topology == written == builder.createTopology()
    sink = topology.bolts["sink"]
    assert sink.bolt_object.shell.execution_command == "/opt/python3.12/bin/python"
    assert sink.bolt_object.shell.script == "sink.py" and sink.common.parallelism_hint == 3
    groupings = {(k.componentId, k.streamId): g for k, g in sink.common.inputs.items()}
    assert groupings[("words", "default")].fields == ["word"]
    assert groupings[("words", "other")].all is not None
    (only,) = topology.bolts["global"].common.inputs.values()
    assert only.fields == []
    (only,) = topology.bolts["shuffled"].common.inputs.values()
    assert only.local_or_shuffle is not None


def test_write_and_read_a_file(tmp_path: Path) -> None:
    builder = TopologyBuilder()
    builder.setSpout("words", Words())
    builder.write(str(tmp_path / "topology.ser"))
    assert list(builder.read(str(tmp_path / "topology.ser")).spouts) == ["words"]


def test_mistakes_are_one_error_listing_them_all() -> None:
    builder = TopologyBuilder()
    builder.setSpout("words", Words())
    builder.setSpout("words", Words())
    builder.setBolt("sink", Sink()).grouping("words", "partial_key", None, "default")
    with pytest.raises(TopologyError) as info:
        builder.createTopology()
    assert "the component id 'words' is already used" in str(info.value)
    assert "'partial_key' is not a grouping petrel can declare" in str(info.value)


def test_text_streams_are_refused_with_the_fix() -> None:
    builder = TopologyBuilder()
    builder.setSpout("words", Words())
    with pytest.raises(TopologyError, match="io.BytesIO"):
        builder.write(io.StringIO())
    with pytest.raises(TopologyError, match="io.BytesIO"):
        builder.read(io.StringIO("x"))
    with pytest.raises(PetrelError, match="not a valid Thrift StormTopology"):
        builder.read(io.BytesIO(b"garbage"))


# -- petrel.storm.Tuple --------------------------------------------------------------------

def test_a_hand_made_tick_tuple_is_a_tick_tuple() -> None:
    assert storm.Tuple(None, None, "__tick", -1, []).is_tick_tuple()
    assert storm.Tuple("1", "__system", "__tick", -1, [5]).is_tick_tuple()
    assert not storm.Tuple("1", "spout", "default", -1, []).is_tick_tuple()


def test_task_index_and_worker_port_as_old_petrel_set_them() -> None:
    class Probe(BasicBolt):
        def declareOutputFields(self) -> list:
            return ["a", "b"]

        def process(self, tup: Any) -> None:
            storm.emit([self.task_index, self.worker_port])

    probe = Probe()
    result = mock.run_simple_topology(None, [mock.MockSpout(["n"], [[1]]), probe])
    assert result[probe] == [[-1, -1]]     # Storm's context carries neither
