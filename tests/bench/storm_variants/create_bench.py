"""The benchmark's word count: one spout, split and count, in the runtime ``bench.variant`` names.

``petrel`` uses topologies/wordcount's own components; ``pystorm`` and ``stormpy`` declare
the same three components as shell components running the ``pystorm_*.py`` or
``stormpy_*.py`` scripts with ``petrel.python`` (so every variant runs the same
interpreter); ``startup`` is petrel's word count with a spout that logs its first ack.
Parallelism and groupings are the same in every variant.
"""

from __future__ import annotations

from typing import Any, Tuple

from petrel.emitter import ShellBolt, ShellSpout

VARIANTS = ("petrel", "pystorm", "stormpy", "startup")


def components(variant: str, python: str) -> Tuple[Any, Any, Any]:
    """The spout, split bolt and count bolt of ``variant``."""
    if variant in ("petrel", "startup"):
        from splitsentence import SplitSentenceBolt
        from wordcount import WordCountBolt

        if variant == "startup":
            from first_ack_spout import FirstAckSpout as Spout
        else:
            from randomsentence import RandomSentenceSpout as Spout
        return Spout(), SplitSentenceBolt(), WordCountBolt()
    if variant not in VARIANTS:
        raise ValueError(f"bench.variant must be one of {', '.join(VARIANTS)}, not {variant!r}")
    return (ShellSpout(python, f"{variant}_spout.py", ["sentence"]),
            ShellBolt(python, f"{variant}_split.py", ["word"]),
            ShellBolt(python, f"{variant}_count.py", ["word", "count"]))


def create(builder: Any) -> None:
    """Called by petrel with a TopologyBuilder."""
    spout, split, count = components(str(builder.conf.get("bench.variant", "petrel")),
                                     str(builder.conf.get("petrel.python", "python3")))
    builder.setSpout("spout", spout, 1)
    builder.setBolt("split", split, 1).shuffleGrouping("spout")
    builder.setBolt("count", count, 1).fieldsGrouping("split", ["word"])
