"""petrel.mock runs a topology whose components import modules its manifest ships from a
``[from DIR]`` section, as a worker finds them in the jar's flat ``resources/``."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from petrel.mock import MockError, run_topology

FILES = {
    "shared/wordsplit.py": """
        def words(sentence):
            return sentence.lower().split()
    """,
    "topo/topology.yaml": "topology.name: shared-demo\n",
    "topo/manifest.txt": "[from ../shared]\nwordsplit.py\n",
    "topo/splitter.py": """
        from petrel.emitter import BasicBolt
        from wordsplit import words

        class SplitBolt(BasicBolt):
            def declareOutputFields(self):
                return ['word']

            def process(self, tup):
                for word in words(tup.values[0]):
                    self.emit([word])
    """,
    "topo/lines.py": """
        from petrel.emitter import Spout

        class LineSpout(Spout):
            def declareOutputFields(self):
                return ['line']
    """,
    "topo/create.py": """
        from lines import LineSpout
        from splitter import SplitBolt

        def create(builder):
            builder.setSpout('lines', LineSpout(), 1)
            builder.setBolt('split', SplitBolt(), 1).shuffleGrouping('lines')
    """,
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root / "topo"


def test_a_module_shipped_from_a_section_is_imported_by_the_component(tmp_path: Path) -> None:
    topo = _write(tmp_path, FILES)
    result = run_topology(topo, spout_data={"lines": [["The Quick fox"]]})
    assert result.emitted("split") == [["the"], ["quick"], ["fox"]]
    result.assert_all_acked()
    assert "wordsplit" not in sys.modules          # forgotten after the load, as topology modules


def test_without_the_section_the_import_error_names_the_module(tmp_path: Path) -> None:
    topo = _write(tmp_path, {**FILES, "topo/manifest.txt": "# nothing shared\n"})
    with pytest.raises(MockError, match="wordsplit"):
        run_topology(topo, spout_data={"lines": [["a"]]})
