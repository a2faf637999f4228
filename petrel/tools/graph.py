"""``petrel graph``: draw a topology as Graphviz DOT, Mermaid, or SVG/PNG through Graphviz.

The picture shows every component (spout or bolt, what runs it, parallelism and tasks),
every subscription (source stream, its fields, the grouping) and streams nobody reads.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from petrel.config import load_config
from petrel.errors import PetrelError
from petrel.topology.model import DEFAULT_STREAM, ComponentDef, GroupingDef, TopologyDef

FORMATS = ("dot", "mermaid", "svg", "png")
# An output file name that clearly asks for another format than the default one.
_SUFFIX_FORMATS = {".svg": "svg", ".png": "png", ".mmd": "mermaid", ".mermaid": "mermaid"}
DOT_TIMEOUT = 60.0


@dataclass
class Edge:
    """One subscription: ``source``'s ``stream`` flows to ``target`` with ``grouping``."""

    source: str
    stream: str
    target: str
    fields: list[str]
    direct: bool
    grouping: GroupingDef


def implementation(comp: ComponentDef) -> str:
    """What runs the component: its Python module, shell script or JVM class."""
    if comp.module:
        return comp.module
    if comp.java is not None:
        return comp.java.class_name
    if comp.serialized_java is not None:
        return "serialized Java object"
    if comp.script:
        return f"{comp.execution_command} {comp.script}"
    return "?"


def parallelism_text(comp: ComponentDef) -> str:
    """``x4`` for four executors, ``x2, 8 tasks`` when the task count differs."""
    text = f"x{comp.parallelism}"
    if comp.tasks != comp.parallelism:
        text += f", {comp.tasks} tasks"
    return text


def grouping_text(grouping: GroupingDef) -> str:
    """A grouping as people say it: ``fields(word)``, ``shuffle``, ``custom(com.x.G)``."""
    kind = grouping.kind
    if kind == "fields":
        return f"fields({', '.join(grouping.fields)})"
    if kind == "local_or_shuffle":
        return "local-or-shuffle"
    if kind == "custom_object" and grouping.java_object is not None:
        return f"custom({grouping.java_object.class_name})"
    if kind == "custom_serialized":
        return "custom(serialized)"
    return kind


def edges(topo: TopologyDef) -> list[Edge]:
    """Every subscription of the topology, in declaration order."""
    out = []
    for comp in topo.components.values():
        for (source, stream), grouping in comp.inputs.items():
            src = topo.components.get(source)
            sdef = src.streams.get(stream) if src is not None else None
            out.append(Edge(source, stream, comp.id, list(sdef.fields) if sdef else [],
                            bool(sdef and sdef.direct), grouping))
    return out


def unread_streams(topo: TopologyDef) -> list[tuple[str, str]]:
    """(component, stream) pairs that are declared with fields but that no bolt subscribes to."""
    read = {(e.source, e.stream) for e in edges(topo)}
    return [(c.id, s) for c in topo.components.values() for s, sdef in c.streams.items()
            if (c.id, s) not in read and sdef.fields]


def edge_label(edge: Edge) -> str:
    """``stream [fields] -> grouping``; the default stream is not named."""
    stream = "" if edge.stream == DEFAULT_STREAM else f"{edge.stream} "
    direct = " (direct)" if edge.direct else ""
    return f"{stream}[{', '.join(edge.fields)}]{direct}\n{grouping_text(edge.grouping)}"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(topo: TopologyDef, name: str) -> str:
    """The topology as a Graphviz DOT digraph (spouts as ellipses, bolts as boxes)."""
    lines = [f"digraph {_dot_quote(name)} {{",
             "  rankdir=LR;",
             f"  label={_dot_quote(f'topology {name}')}; labelloc=t;",
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for comp in topo.components.values():
        shape = 'shape=ellipse, style=filled, fillcolor="#e0ecff"' if comp.kind == "spout" \
            else 'shape=box, style="rounded,filled", fillcolor="#fff5d6"'
        label = f"{comp.id}\n{implementation(comp)}\n{comp.kind} {parallelism_text(comp)}"
        lines.append(f"  {_dot_quote(comp.id)} [{shape}, label={_dot_quote(label)}];")
    for edge in edges(topo):
        style = ", style=dashed" if edge.direct else ""
        lines.append(f"  {_dot_quote(edge.source)} -> {_dot_quote(edge.target)} "
                     f"[label={_dot_quote(edge_label(edge))}{style}];")
    for index, (source, stream) in enumerate(unread_streams(topo)):
        fields = ", ".join(topo.components[source].streams[stream].fields)
        sink = f"__unread_{index}"
        lines.append(f"  {_dot_quote(sink)} [shape=point, width=0.05];")
        lines.append(f"  {_dot_quote(source)} -> {_dot_quote(sink)} "
                     f"[label={_dot_quote(f'{stream} [{fields}]' + chr(10) + 'not read')}, "
                     "style=dotted];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def to_mermaid(topo: TopologyDef, name: str) -> str:
    """The topology as a Mermaid flowchart (paste it into Markdown inside a mermaid block)."""
    node_ids = {cid: f"c{i}" for i, cid in enumerate(topo.components)}
    lines = ["---", f"title: topology {name}", "---", "flowchart LR"]
    for comp in topo.components.values():
        label = _mermaid_text(f"{comp.id}\n{implementation(comp)}\n"
                              f"{comp.kind} {parallelism_text(comp)}")
        if comp.kind == "spout":
            lines.append(f'  {node_ids[comp.id]}(["{label}"])')
        else:
            lines.append(f'  {node_ids[comp.id]}["{label}"]')
    for edge in edges(topo):
        arrow = "-.->" if edge.direct else "-->"
        lines.append(f'  {node_ids[edge.source]} {arrow}|"{_mermaid_text(edge_label(edge))}"| '
                     f"{node_ids[edge.target]}")
    for index, (source, stream) in enumerate(unread_streams(topo)):
        fields = ", ".join(topo.components[source].streams[stream].fields)
        sink = f"u{index}"
        lines.append(f"  {sink}(( ))")
        lines.append(f'  {node_ids[source]} -.-|"{_mermaid_text(f"{stream} [{fields}]")} '
                     f'not read"| {sink}')
    return "\n".join(lines) + "\n"


def render_with_graphviz(dot_source: str, fmt: str) -> bytes:
    """Run Graphviz's ``dot`` to turn DOT text into ``fmt`` (svg or png) bytes."""
    dot = shutil.which("dot")
    if dot is None:
        raise PetrelError(
            f"--format {fmt} needs Graphviz's 'dot' program, which is not on PATH; install "
            "Graphviz (apt-get install graphviz, dnf install graphviz, brew install graphviz) "
            "or use --format dot or --format mermaid")
    try:
        done = subprocess.run([dot, f"-T{fmt}"], input=dot_source.encode("utf-8"),
                              capture_output=True, timeout=DOT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PetrelError(f"Graphviz 'dot' ({dot}) could not run: {exc}; check the Graphviz "
                          "installation or use --format dot") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PetrelError(f"Graphviz 'dot' ({dot}) failed with exit code {done.returncode}: "
                          f"{detail[-1] if detail else 'no message'}; check the Graphviz "
                          "installation or use --format dot")
    return done.stdout


def chosen_format(fmt: str | None, output: str | None) -> str:
    """``--format`` when given, else what an ``-o`` name ending .svg/.png/.mmd says, else dot."""
    if fmt is not None:
        return fmt
    if output:
        return _SUFFIX_FORMATS.get(Path(output).suffix.lower(), "dot")
    return "dot"


def render(topo: TopologyDef, name: str, fmt: str) -> bytes:
    """The picture of ``topo`` in ``fmt`` (one of FORMATS) as bytes."""
    if fmt == "mermaid":
        return to_mermaid(topo, name).encode("utf-8")
    source = to_dot(topo, name)
    if fmt == "dot":
        return source.encode("utf-8")
    return render_with_graphviz(source, fmt)


def run_graph(args: argparse.Namespace) -> int:
    """The ``petrel graph`` handler: load the topology and write its picture."""
    from petrel.package.command import topology_name
    from petrel.package.manifest import section_dirs, section_imports
    from petrel.topology.loader import load_topology

    fmt = chosen_format(args.format, args.output)
    if fmt not in FORMATS:
        raise PetrelError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt == "png" and not args.output and sys.stdout.isatty():
        raise PetrelError("--format png writes binary data; add -o FILE.png (or redirect "
                          "standard output to a file)")
    config_file = Path(args.config)
    conf = load_config(config_file)
    topology_dir = config_file.resolve().parent
    with section_imports(topology_dir):     # modules shipped from manifest [from DIR] lines
        topo = load_topology(topology_dir, args.definition, conf, config_name=str(config_file),
                             shared_dirs=section_dirs(topology_dir))
    data = render(topo, topology_name(conf, topology_dir), fmt)
    if args.output:
        out = Path(args.output)
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise PetrelError(f"cannot write {out}: {exc.strerror or exc}; choose another "
                              "file with -o") from None
        print(f"petrel graph: wrote {out} ({fmt}, {len(topo.components)} components)",
              file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
