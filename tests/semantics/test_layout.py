"""Task ids, handshake conf and context, as a Storm worker hands them to a task."""

from local_helpers import shell, topology

from petrel.semantics.layout import (
    assign_tasks,
    build_context,
    component_conf,
    topology_conf,
)
from petrel.topology.model import GroupingDef


def book_topology():
    return topology(
        shell("sentence-spout", "spout", "s.py", {"default": ["sentence"]}),
        shell("split", "bolt", "b.py", {"default": ["word"]}, parallelism=2,
              inputs={("sentence-spout", "default"): GroupingDef("shuffle")}),
        shell("count", "bolt", "b.py", {"default": ["word", "count"], "totals": ["n"]},
              inputs={("split", "default"): GroupingDef("fields", ["word"])}),
        shell("sink", "bolt", "b.py", {},
              inputs={("count", "totals"): GroupingDef("global")}),
    )


def test_check_13_task_ids():
    topo = book_topology()
    del topo.components["sink"]
    layout = assign_tasks(topo, {})
    assert layout.context_map() == {"1": "__acker", "2": "count", "3": "sentence-spout",
                                    "4": "split", "5": "split"}


def test_acker_count_and_upper_case_ids():
    topo = topology(shell("Spout", "spout", "s.py", {"default": ["x"]}))
    assert assign_tasks(topo, {}).context_map() == {"1": "Spout", "2": "__acker"}
    assert assign_tasks(topo, {"topology.acker.executors": 0}).context_map() == {"1": "Spout"}
    assert assign_tasks(topo, {"topology.workers": 2}).context_map() == {
        "1": "Spout", "2": "__acker", "3": "__acker"}


def test_context_of_a_split_task():
    topo = book_topology()
    layout = assign_tasks(topo, {})
    ctx = build_context(topo, layout, 5)
    assert ctx["taskid"] == 5 and ctx["componentid"] == "split"
    assert ctx["streams"] == ["default"]
    assert ctx["stream->outputfields"] == {"default": ["word"]}
    assert ctx["stream->target->grouping"] == {
        "default": {"count": {"type": "FIELDS", "fields": ["word"]}}}
    assert ctx["source->stream->grouping"] == {"sentence-spout": {"default": {"type": "SHUFFLE"}}}
    assert ctx["source->stream->fields"] == {"sentence-spout": {"default": ["sentence"]}}
    sink = build_context(topo, layout, layout.component_tasks["sink"][0])
    assert sink["source->stream->grouping"] == {"count": {"totals": {"type": "FIELDS",
                                                                      "fields": []}}}
    # all of the source's streams, not only the subscribed one
    assert sink["source->stream->fields"] == {"count": {"default": ["word", "count"],
                                                        "totals": ["n"]}}


def test_conf_defaults_and_component_whitelist():
    conf = topology_conf({"topology.message.timeout.secs": 5, "my.key": 1}, "wc", "wc-1-2")
    assert conf["storm.cluster.mode"] == "local"
    assert conf["topology.shellbolt.max.pending"] == 100
    assert conf["topology.message.timeout.secs"] == 5
    assert conf["topology.name"] == "wc" and conf["storm.id"] == "wc-1-2"
    merged = component_conf(conf, {"topology.tick.tuple.freq.secs": 3,
                                   "topology.message.timeout.secs": 99, "user.key": "x"})
    assert merged["topology.tick.tuple.freq.secs"] == 3
    assert merged["topology.message.timeout.secs"] == 5  # not whitelisted: dropped
    assert merged["user.key"] == "x" and merged["my.key"] == 1
