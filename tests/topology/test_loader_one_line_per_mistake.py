"""A component the builder could not describe is reported once, by the builder's own line,
not followed by the validator's 'must have exactly one implementation, found 0'."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest

from petrel.errors import PetrelError
from petrel.topology.loader import load_topology

MakeTopology = Callable[..., Path]


def problems(topo_dir: Path) -> list[str]:
    """The problem lines load_topology reports for ``topo_dir``."""
    with pytest.raises(PetrelError) as info:
        load_topology(topo_dir)
    lines = info.value.message.splitlines()
    return [line[4:] for line in lines[1:]] if lines[0].endswith("problems:") else lines


def test_a_module_symlinked_from_outside_gives_one_line(make_topology: MakeTopology,
                                                        tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    topo = make_topology()
    os.replace(topo / "splitsentence.py", outside / "splitsentence.py")
    os.symlink(outside / "splitsentence.py", topo / "splitsentence.py")
    found = problems(topo)
    assert len(found) == 1, found
    assert "bolt 'split'" in found[0] and "outside the topology directory" in found[0]
    assert f"is a symlink to {(outside / 'splitsentence.py').resolve()}, which is" in found[0]


def test_a_run_defined_without_self_is_refused_at_build_time(
        make_topology: MakeTopology) -> None:
    """The book's module-level ``def run():`` indented into the class would replace petrel's
    run loop, and the worker would die calling it: the build names it instead."""
    topo = make_topology()
    source = (topo / "splitsentence.py").read_text()
    (topo / "splitsentence.py").write_text(source.replace(
        "return ['word']\n",
        "return ['word']\n\n    def run():\n        SplitSentenceBolt().run()\n"))
    found = problems(topo)
    assert found == ["create.py: bolt 'split': SplitSentenceBolt.run() overrides petrel's run "
                     "loop with the wrong signature; remove it or rename it (a module-level "
                     "'def run(): SplitSentenceBolt().run()' belongs outside the class)"]


def test_a_run_that_can_be_called_without_arguments_is_accepted(
        make_topology: MakeTopology) -> None:
    topo = make_topology()
    source = (topo / "splitsentence.py").read_text()
    (topo / "splitsentence.py").write_text(source.replace(
        "return ['word']\n", "return ['word']\n\n    def run(self, verbose=False):\n"
        "        super().run()\n"))
    load_topology(topo)


def test_a_class_given_instead_of_an_instance_gives_one_line(make_topology: MakeTopology) -> None:
    found = problems(make_topology(create="""
        from randomsentence import RandomSentenceSpout
        from splitsentence import SplitSentenceBolt
        def create(builder):
            builder.setSpout("spout", RandomSentenceSpout(), 1)
            builder.setBolt("split", SplitSentenceBolt, 1).shuffleGrouping("spout")
        """))
    assert found == ["create.py: bolt 'split': setBolt got the class SplitSentenceBolt, not an "
                     "instance; write SplitSentenceBolt()"]


def test_other_problems_of_the_same_component_are_still_reported(
        make_topology: MakeTopology) -> None:
    found = problems(make_topology(create="""
        from randomsentence import RandomSentenceSpout
        from splitsentence import SplitSentenceBolt
        def create(builder):
            builder.setSpout("spout", RandomSentenceSpout(), 1)
            builder.setBolt("split", SplitSentenceBolt, 0).shuffleGrouping("nowhere")
        """))
    assert any("not an instance" in p for p in found)
    assert any("parallelism 0" in p for p in found), found
    assert not any("exactly one implementation" in p for p in found), found
