"""The benchmark's topologies, in the runtime ``bench.variant`` names.

``bench.shape: wordcount`` (the default) is spout -> split -> count (fields grouping on
'word'), the spout reliable; ``bench.shape: pass`` is a spout emitting sentences in batches
without message ids (batch_spout.py) -> a pass-through bolt that emits each sentence on, so
the bolt bounds the rate. ``petrel`` uses topologies/wordcount's own components,
batch_spout.py and pass_bolt.py; ``pystorm``,
``pystorm_msgpack`` and ``stormpy`` declare the same components as shell components running
the ``<variant>_*.py`` scripts with ``petrel.python`` (so every variant runs the same
interpreter); ``floor`` is petrel's spout with floor_pass.py, the least a Python bolt can do;
``startup`` is petrel's word count with a spout that logs its first ack. The serializer is
the topology's ``petrel.serializer``. Parallelism and groupings are the same in every variant.
"""

from __future__ import annotations

from typing import Any, List, Tuple

from petrel.emitter import ShellBolt, ShellSpout

VARIANTS = ("petrel", "pystorm", "pystorm_msgpack", "stormpy", "floor", "startup")
SHAPES = ("wordcount", "pass")


def petrel_spout(variant: str) -> Any:
    """petrel's random sentence spout (logging its first ack for ``startup``)."""
    if variant == "startup":
        from first_ack_spout import FirstAckSpout
        return FirstAckSpout()
    from randomsentence import RandomSentenceSpout
    return RandomSentenceSpout()


def components(variant: str, shape: str, python: str) -> Tuple[Any, List[Any]]:
    """The spout and the bolts (in order) of ``variant`` in ``shape``."""
    if variant not in VARIANTS:
        raise ValueError(f"bench.variant must be one of {', '.join(VARIANTS)}, not {variant!r}")
    if shape not in SHAPES:
        raise ValueError(f"bench.shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    if variant in ("petrel", "startup", "floor"):
        if shape == "pass":
            from batch_spout import BatchSpout
            from pass_bolt import PassBolt
            bolt = (ShellBolt(python, "floor_pass.py", ["sentence"]) if variant == "floor"
                    else PassBolt())
            return BatchSpout(), [bolt]
        spout = petrel_spout(variant)
        from splitsentence import SplitSentenceBolt
        from wordcount import WordCountBolt
        return spout, [SplitSentenceBolt(), WordCountBolt()]
    if shape == "pass":
        return (ShellSpout(python, f"{variant}_batch_spout.py", ["sentence"]),
                [ShellBolt(python, f"{variant}_pass.py", ["sentence"])])
    spout = ShellSpout(python, f"{variant}_spout.py", ["sentence"])
    return spout, [ShellBolt(python, f"{variant}_split.py", ["word"]),
                   ShellBolt(python, f"{variant}_count.py", ["word", "count"])]


def create(builder: Any) -> None:
    """Called by petrel with a TopologyBuilder."""
    spout, bolts = components(str(builder.conf.get("bench.variant", "petrel")),
                              str(builder.conf.get("bench.shape", "wordcount")),
                              str(builder.conf.get("petrel.python", "python3")))
    builder.setSpout("spout", spout, 1)
    if len(bolts) == 1:
        builder.setBolt("pass", bolts[0], 1).shuffleGrouping("spout")
    else:
        builder.setBolt("split", bolts[0], 1).shuffleGrouping("spout")
        builder.setBolt("count", bolts[1], 1).fieldsGrouping("split", ["word"])
