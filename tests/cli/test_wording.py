"""Messages that used to mislead: a config number given as a word, and the follow-up lines of
a component given as a class instead of an instance."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from petrel.errors import PetrelError
from petrel.topology.loader import load_topology
from petrel.topology.validate import conf_type_problem


@pytest.mark.parametrize(("key", "value", "message"), [
    ("topology.workers", "two", "'topology.workers' = 'two' must be an integer between "
                                "-2147483648 and 2147483647 (write a number, e.g. 2)"),
    ("topology.workers", "2", "'topology.workers' = '2' must be an integer between -2147483648 "
                              "and 2147483647 (it is text: write the value unquoted, not "
                              "through ${VAR})"),
    ("topology.acker.executors", " 3 ", "'topology.acker.executors' = ' 3 ' must be an integer "
                                        "between -2147483648 and 2147483647 (it is text: write "
                                        "the value unquoted, not through ${VAR})"),
    ("topology.debug", "yes", "'topology.debug' = 'yes' must be true or false (it is text: "
                              "write the value unquoted, not through ${VAR})"),
    ("topology.debug", "maybe", "'topology.debug' = 'maybe' must be true or false"),
])
def test_text_where_a_number_or_boolean_belongs(key: str, value: str, message: str) -> None:
    assert conf_type_problem(key, value) == message


BOLT = """
from petrel.emitter import BasicBolt


class {name}(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return ["word"]

    def process(self, tup):
        pass
"""

CREATE = """
from first import First
from second import Second
from third import Third


def create(builder):
    builder.setSpout("spout", First(), 1)
    builder.setBolt("split", Second, 1).shuffleGrouping("spout")
    builder.setBolt("count", Third(), 1).fieldsGrouping("split", ["word"])
"""


def test_a_class_instead_of_an_instance_is_one_line(tmp_path: Path) -> None:
    for name in ("First", "Second", "Third"):
        text = BOLT.format(name=name)
        if name == "First":
            text = text.replace("BasicBolt", "Spout").replace("def process(self, tup)",
                                                              "def nextTuple(self)")
        (tmp_path / f"{name.lower()}.py").write_text(textwrap.dedent(text))
    (tmp_path / "create.py").write_text(textwrap.dedent(CREATE))
    with pytest.raises(PetrelError) as info:
        load_topology(tmp_path)
    # no 'found 0' and no "'split' declares the streams: none" for 'count'
    assert info.value.message == ("create.py: bolt 'split': setBolt got the class Second, not an "
                                  "instance; write Second()")
