"""``petrel graph``: DOT and Mermaid text, SVG/PNG through Graphviz, and the no-Graphviz message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from petrel.cli import main

REPO = Path(__file__).resolve().parents[2]

FILES = {
    "topology.yaml": "topology.name: demo\npetrel.parallelism.count: 3\n",
    "sentences.py": """
        from petrel.emitter import Spout

        class SentenceSpout(Spout):
            def declareOutputFields(self):
                return {'default': ['sentence'], 'audit': ['line', 'when']}
    """,
    "split.py": """
        from petrel.emitter import BasicBolt, Stream

        class SplitBolt(BasicBolt):
            def declareOutputFields(self):
                return {'default': ['word'], 'direct-words': Stream(['word'], direct=True)}
    """,
    "count.py": """
        from petrel.emitter import BasicBolt

        class CountBolt(BasicBolt):
            def declareOutputFields(self):
                return ['word', 'count']
    """,
    "create.py": """
        from petrel.emitter import ShellBolt
        from sentences import SentenceSpout
        from split import SplitBolt
        from count import CountBolt

        def create(builder):
            builder.setSpout('sentences', SentenceSpout(), 1)
            builder.setBolt('split', SplitBolt(), 2).shuffleGrouping('sentences')
            builder.setBolt('count', CountBolt(), 1).setNumTasks(6) \\
                .fieldsGrouping('split', ['word'])
            builder.setBolt('echo', ShellBolt('node', 'echo.js', ['word']), 1) \\
                .directGrouping('split', 'direct-words').allGrouping('sentences', 'audit')
    """,
    "echo.js": "// a node bolt\n",
}


@pytest.fixture()
def topo_dir(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip())
    return tmp_path


def graph(topo_dir: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["graph", "--config", str(topo_dir / "topology.yaml"), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_dot_shows_components_parallelism_streams_groupings_and_fields(
        topo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = graph(topo_dir, capsys=capsys)
    assert code == 0
    assert out.startswith('digraph "demo" {')
    # spouts and bolts are told apart; parallelism (with the override) and task counts shown
    assert '"sentences" [shape=ellipse' in out and "sentences\\nsentences\\nspout x1" in out
    assert '"split" [shape=box' in out and "bolt x2" in out
    assert "count\\ncount\\nbolt x3, 6 tasks" in out
    assert "echo\\nnode echo.js\\nbolt x1" in out
    # every subscription with its stream, fields and grouping
    assert '"sentences" -> "split" [label="[sentence]\\nshuffle"]' in out
    assert '"split" -> "count" [label="[word]\\nfields(word)"]' in out
    assert '"split" -> "echo" [label="direct-words [word] (direct)\\ndirect", style=dashed]' in out
    assert '"sentences" -> "echo" [label="audit [line, when]\\nall"]' in out
    # an output nobody subscribes to is shown as such
    assert "default [word, count]\\nnot read" in out


def test_an_explicit_format_wins_over_the_output_suffix(
        topo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = topo_dir / "picture.png"
    code, _, err = graph(topo_dir, "--format", "dot", "-o", str(out), capsys=capsys)
    assert code == 0 and "(dot," in err
    assert out.read_text().startswith('digraph "demo" {')
    code, _, err = graph(topo_dir, "-o", str(topo_dir / "picture.mmd"), capsys=capsys)
    assert code == 0 and "(mermaid," in err


def test_mermaid_is_a_flowchart_with_safe_node_ids(
        topo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = graph(topo_dir, "--format", "mermaid", capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert "flowchart LR" in lines and "title: topology demo" in lines
    assert '  c0(["sentences<br/>sentences<br/>spout x1"])' in lines
    assert '  c2["count<br/>count<br/>bolt x3, 6 tasks"]' in lines
    assert '  c1 -->|"[word]<br/>fields(word)"| c2' in lines
    assert '  c1 -.->|"direct-words [word] (direct)<br/>direct"| c3' in lines


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="needs Graphviz's 'dot' program (Debian/Ubuntu package graphviz)")
def test_svg_and_png_through_graphviz(topo_dir: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    svg = tmp_path / "out" / "topology.svg"
    svg.parent.mkdir()
    code, out, err = graph(topo_dir, "--format", "svg", "-o", str(svg), capsys=capsys)
    assert code == 0 and out == ""
    assert f"wrote {svg} (svg, 4 components)" in err
    text = svg.read_text()
    assert "<svg" in text and "fields(word)" in text and "bolt x3, 6 tasks" in text
    png = tmp_path / "out" / "topology.png"
    # the file name picks the format when --format is left at its default
    code, _, _ = graph(topo_dir, "-o", str(png), capsys=capsys)
    assert code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_without_graphviz_says_what_to_install(topo_dir: Path, tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "petrel.cli", "graph", "--format", "svg", "-o", "x.svg"],
        cwd=topo_dir, capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": str(REPO), "PATH": str(empty_bin), "HOME": os.environ.get("HOME", "/")})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("petrel graph: error: --format svg needs Graphviz's 'dot' "
                                  "program, which is not on PATH; install Graphviz"), proc.stderr
    assert "--format dot or --format mermaid" in proc.stderr
    assert not (topo_dir / "x.svg").exists()


def test_a_broken_topology_is_reported_not_drawn(topo_dir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (topo_dir / "create.py").write_text(
        "from count import CountBolt\n"
        "def create(builder):\n"
        "    builder.setBolt('count', CountBolt()).shuffleGrouping('nowhere')\n")
    code, out, err = graph(topo_dir, capsys=capsys)
    assert code == 2 and out == ""
    assert "petrel graph: error:" in err and "'nowhere'" in err


def test_unwritable_output_is_one_clear_error(topo_dir: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = graph(topo_dir, "-o", str(tmp_path / "missing" / "g.dot"), capsys=capsys)
    assert code == 2
    assert f"cannot write {tmp_path / 'missing' / 'g.dot'}" in err


def test_a_topology_whose_modules_come_from_a_manifest_section_is_drawn(tmp_path: Path) -> None:
    """twitter_topwords imports modules it ships with ``[from ../common]``, its spout and
    splitter among them; ``graph`` finds them as ``petrel build`` does, in a separate
    process so nothing is already imported."""
    proc = subprocess.run(
        [sys.executable, "-m", "petrel.cli", "graph", "--config",
         str(REPO / "topologies" / "twitter_topwords" / "topology.yaml"), "--format", "mermaid"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    assert "flowchart" in proc.stdout and "totalrankings" in proc.stdout.lower()
    assert "spout<br/>tweetspout" in proc.stdout and "splitter<br/>tweetsplitter" in proc.stdout
