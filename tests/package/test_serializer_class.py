"""The MessagePack serializer's class in the jar, the msgpack warning, and the class vs its source.

petrel ships PetrelMsgpackSerializer.class compiled (users have no JDK), with a record of the
source it came from; ``make jvm-classes`` (jvm/build_classes.py) rebuilds both.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging_helpers import SPLIT_MODULE, write_files

from petrel import cli
from petrel.package import serializer_class
from petrel.package.command import build_topology_jar
from petrel.package.serializer_class import CLASS_ENTRY, CLASSES_DIR, lists_msgpack

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "jvm/src/main/java/petrel/PetrelMsgpackSerializer.java"
SHIPPED = CLASSES_DIR / "PetrelMsgpackSerializer.class"
RECORD = CLASSES_DIR / "PetrelMsgpackSerializer.json"
REBUILD = "run 'make jvm-classes' (python jvm/build_classes.py) and commit petrel/package/classes/"

SPOUT_MODULE = '''\
from petrel.emitter import Spout


class SentenceSpout(Spout):
    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return ["sentence"]


def run():
    SentenceSpout().run()
'''

CREATE = '''\
from petrel.emitter import ShellBolt
from sentencespout import SentenceSpout
from splitsentence import SplitSentenceBolt


def create(builder):
    builder.setSpout("spout", SentenceSpout(), 1)
    builder.setBolt("split", SplitSentenceBolt(), 2).shuffleGrouping("spout")
    if EXTRA:
        builder.setBolt("count-node", ShellBolt("node", "count.js", [])).shuffleGrouping("split")
'''


def topology(tmp_path: Path, yaml_text: str, *, requirements: str | None = None,
             extra: bool = False) -> Path:
    """A two-component topology directory (plus a Node bolt when ``extra``); its topology.yaml."""
    files = {"create.py": CREATE.replace("EXTRA", str(extra)),
             "sentencespout.py": SPOUT_MODULE, "splitsentence.py": SPLIT_MODULE,
             "topology.yaml": yaml_text, "manifest.txt": "count.js\n", "count.js": "//\n"}
    if requirements is not None:
        files["requirements.txt"] = requirements
        files["manifest.txt"] += "requirements.txt\n"
    return write_files(tmp_path / "topo", files) / "topology.yaml"


def build(capsys: pytest.CaptureFixture[str], config: Path) -> tuple[int, str]:
    """``petrel build --config CONFIG``: exit status and stderr."""
    code = cli.main(["build", "--config", str(config)])
    return code, capsys.readouterr().err


# -- the jar ------------------------------------------------------------------------------


def test_msgpack_ships_the_class_and_names_it_for_storm(tmp_path: Path) -> None:
    built = build_topology_jar(topology(tmp_path, "petrel.serializer: msgpack\n"))
    with zipfile.ZipFile(built.jar) as zf:
        assert CLASS_ENTRY == "petrel/PetrelMsgpackSerializer.class"
        assert zf.read(CLASS_ENTRY) == SHIPPED.read_bytes()
        shipped_conf = yaml.safe_load(zf.read("resources/__topology__.yaml"))
    # what Nimbus is given (built.conf) and what the worker reads agree
    for conf in (built.conf, shipped_conf):
        assert conf["topology.multilang.serializer"] == "petrel.PetrelMsgpackSerializer"


@pytest.mark.parametrize("yaml_text", ["topology.workers: 1\n", "petrel.serializer: json\n"])
def test_json_ships_no_class_and_leaves_storms_default(tmp_path: Path, yaml_text: str) -> None:
    built = build_topology_jar(topology(tmp_path, yaml_text))
    with zipfile.ZipFile(built.jar) as zf:
        assert [n for n in zf.namelist() if not n.startswith("resources/")] == [
            "META-INF/MANIFEST.MF"]
    assert "topology.multilang.serializer" not in built.conf


def test_mixed_topology_is_refused_and_no_jar_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = topology(tmp_path, "petrel.serializer: msgpack\n", extra=True)
    code, err = build(capsys, config)
    assert code != 0 and "Traceback" not in err
    assert err.startswith("petrel build: error: ") and err.count("\n") == 1
    assert "not written with petrel: 'count-node'" in err
    assert not (config.parent / "topology.jar").exists()


def test_declared_shell_component_builds(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = topology(tmp_path, "petrel.serializer: msgpack\n"
                      "petrel.serializer.shell_components: [count-node]\n",
                      extra=True, requirements="msgpack\n")
    code, err = build(capsys, config)
    assert (code, err) == (0, "")
    with zipfile.ZipFile(config.parent / "topology.jar") as zf:
        assert CLASS_ENTRY in zf.namelist()


def test_a_broken_installation_without_the_class_says_reinstall(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(serializer_class, "CLASSES_DIR", tmp_path / "nowhere")
    config = topology(tmp_path, "petrel.serializer: msgpack\n", requirements="msgpack\n")
    code, err = build(capsys, config)
    assert code != 0 and "Traceback" not in err
    assert "PetrelMsgpackSerializer.class, part of the worker runtime; reinstall petrel" in err
    assert not (config.parent / "topology.jar").exists()


# -- the msgpack package on the workers -----------------------------------------------------


@pytest.mark.parametrize("requirements, fix", [
    (None, "ship a requirements.txt with a line 'msgpack' (list it in manifest.txt)"),
    ("redis>=4\n# msgpack\nmsgpack-numpy\n", "add a line 'msgpack' to requirements.txt"),
])
def test_msgpack_without_the_package_warns_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], requirements: str | None,
        fix: str) -> None:
    code, err = build(capsys, topology(tmp_path, "petrel.serializer: msgpack\n",
                                       requirements=requirements))
    assert code == 0
    assert err.startswith("petrel: warning: petrel.serializer is msgpack but the workers' "
                          "requirements.txt does not install the msgpack package")
    assert "pure-Python codec, which is much slower" in err
    assert err.count("\n") == 1 and err.rstrip().endswith(fix)


@pytest.mark.parametrize("yaml_text, requirements", [
    ("petrel.serializer: msgpack\n", "msgpack>=1.0  # fast path\n"),
    ("petrel.serializer: json\n", None),
])
def test_no_warning_with_the_package_or_with_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], yaml_text: str,
        requirements: str | None) -> None:
    code, err = build(capsys, topology(tmp_path, yaml_text, requirements=requirements))
    assert (code, err) == (0, "")


@pytest.mark.parametrize("text, listed", [
    ("msgpack", True), ("msgpack==1.0.8", True), ("MsgPack >= 1", True),
    ("msgpack-python", True), ("msgpack_python<1", True), ("  msgpack ; python_version>'3'", True),
    ("msgpack[extra]", True), ("msgpack @ https://example.org/m.whl", True),
    ("redis\nmsgpack\n", True),
    ("# msgpack", False), ("msgpack-numpy", False), ("msgpackx", False),
    ("-r other.txt", False), ("", False), ("ormsgpack", False),
])
def test_requirements_lines_naming_the_package(text: str, listed: bool) -> None:
    assert lists_msgpack(text) is listed


# -- the shipped class and its source -------------------------------------------------------


def source_or_skip() -> Path:
    if not SOURCE.is_file():
        pytest.skip("no jvm/ sources (not a petrel checkout)")
    return SOURCE


def test_the_shipped_class_was_built_from_todays_source() -> None:
    record = json.loads(RECORD.read_text())
    source = source_or_skip()
    assert record["source"] == source.relative_to(REPO).as_posix()
    assert hashlib.sha256(source.read_bytes()).hexdigest() == record["source_sha256"], (
        f"{record['source']} changed since {SHIPPED.name} was compiled; {REBUILD}")
    assert hashlib.sha256(SHIPPED.read_bytes()).hexdigest() == record["class_sha256"], (
        f"{SHIPPED} is not the class its record describes; {REBUILD}")


def javap(javap_cmd: str, class_file: Path) -> str:
    """The disassembly of every method and constant (the file name and checksum left out)."""
    done = subprocess.run([javap_cmd, "-c", "-p", "-constants", str(class_file)],
                          capture_output=True, text=True, check=True)
    return done.stdout


@pytest.mark.slow
def test_compiling_the_source_gives_the_shipped_class(tmp_path: Path) -> None:
    """Same javac as the record: the same bytes. Another javac (its class files differ in a
    few bytes between JDK builds): the same ``javap -c -p -constants`` disassembly."""
    source_or_skip()
    javac, javap_cmd = shutil.which("javac"), shutil.which("javap")
    if javac is None or javap_cmd is None:
        pytest.skip("no JDK")
    done = subprocess.run([sys.executable, str(REPO / "jvm/build_classes.py"),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    if done.returncode != 0 and "no storm-client jar" in done.stderr:
        pytest.skip(done.stderr.strip())
    assert done.returncode == 0, done.stderr
    rebuilt = tmp_path / SHIPPED.name
    ours = json.loads(RECORD.read_text())
    theirs = json.loads((tmp_path / RECORD.name).read_text())
    assert theirs["source_sha256"] == ours["source_sha256"], REBUILD
    if theirs["javac"] == ours["javac"]:
        assert rebuilt.read_bytes() == SHIPPED.read_bytes(), REBUILD
    else:
        assert javap(javap_cmd, rebuilt) == javap(javap_cmd, SHIPPED), (
            f"{ours['javac']} built the shipped class, {theirs['javac']} compiles the source "
            f"to other code; {REBUILD}")


def test_the_build_script_refuses_a_missing_storm_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(REPO / "jvm/build_classes.py"), "--out",
                           str(tmp_path / "out"), "--storm-lib", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert re.fullmatch(r"build_classes: .*: no storm-client jar there; run 'petrel storm up' "
                        r"once .*\n", done.stderr)
    assert not (tmp_path / "out").exists()
