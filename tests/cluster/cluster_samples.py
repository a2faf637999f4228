"""Topologies built by hand for the cluster tests (no create.py, no jar builder)."""

from __future__ import annotations

from petrel.topology.model import ComponentDef, GroupingDef, StreamDef, TopologyDef


def word_count() -> TopologyDef:
    """spout -> split (shuffle) -> count (fields on word), built by hand."""
    spout = ComponentDef("spout", "spout", streams={"default": StreamDef(["sentence"])},
                         execution_command="python3", script="_petrel_launch_spout.py",
                         module="spout")
    split = ComponentDef("split", "bolt", streams={"default": StreamDef(["word"])},
                         inputs={("spout", "default"): GroupingDef("shuffle")}, parallelism=2,
                         execution_command="python3", script="_petrel_launch_split.py",
                         module="split")
    count = ComponentDef("count", "bolt", streams={"default": StreamDef(["word", "count"])},
                         inputs={("split", "default"): GroupingDef("fields", ["word"])},
                         execution_command="python3", script="_petrel_launch_count.py",
                         module="count")
    return TopologyDef(components={c.id: c for c in (spout, split, count)},
                       conf={"topology.workers": 2})
