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


def test_a_component_class_from_a_section_runs_in_the_mock(tmp_path: Path) -> None:
    """create.py declares the shared module's class itself: no subclass in the topology."""
    files = {**FILES, "topo/manifest.txt": "[from ../shared]\nwordsplit.py\nsharedsplit.py\n"}
    files["shared/sharedsplit.py"] = files.pop("topo/splitter.py")
    files["topo/create.py"] = FILES["topo/create.py"].replace("from splitter", "from sharedsplit")
    topo = _write(tmp_path, files)
    result = run_topology(topo, spout_data={"lines": [["The Quick fox"]]})
    assert result.emitted("split") == [["the"], ["quick"], ["fox"]]
    result.assert_all_acked()
    assert "sharedsplit" not in sys.modules


def test_a_component_class_from_outside_the_sections_names_both_fixes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {**FILES, "topo/manifest.txt": "# nothing shared\n"}
    files["shared/sharedsplit.py"] = files.pop("topo/splitter.py")
    files["topo/create.py"] = FILES["topo/create.py"].replace("from splitter", "from sharedsplit")
    topo = _write(tmp_path, files)
    monkeypatch.syspath_prepend(str(tmp_path / "shared"))   # importable, but not shipped
    try:
        with pytest.raises(MockError, match=r"ship its directory with a '\[from DIR\]' line"):
            run_topology(topo, spout_data={"lines": [["a"]]})
    finally:
        for name in ("sharedsplit", "wordsplit"):
            sys.modules.pop(name, None)


def test_a_shared_module_the_test_imported_is_the_one_the_run_uses(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As with the topology's own modules: what the test patched in it reaches the run."""
    topo = _write(tmp_path, FILES)
    monkeypatch.syspath_prepend(str(tmp_path / "shared"))
    import wordsplit

    monkeypatch.setattr(wordsplit, "words", lambda sentence: sentence.upper().split())
    try:
        result = run_topology(topo, spout_data={"lines": [["The fox"]]})
        assert result.emitted("split") == [["THE"], ["FOX"]]
        assert sys.modules["wordsplit"] is wordsplit
    finally:
        sys.modules.pop("wordsplit", None)
