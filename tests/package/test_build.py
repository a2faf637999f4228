"""``petrel build`` end to end: create.py -> validated topology -> reproducible jar."""

from __future__ import annotations

import os
import re
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging_helpers import SPLIT_MODULE, write_files

from petrel import cli
from petrel.package.command import build_topology_jar
from petrel.topology.thrift import deserialize_topology

SPOUT_MODULE = '''\
from petrel import storm
from petrel.emitter import Spout


class SentenceSpout(Spout):
    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return ["sentence"]

    def nextTuple(self):
        storm.emit(["the cow jumped over the moon"])


def run():
    SentenceSpout().run()
'''

CREATE = '''\
from sentencespout import SentenceSpout
from splitsentence import SplitSentenceBolt


def create(builder):
    builder.setSpout("spout", SentenceSpout(), 1)
    builder.setBolt("split", SplitSentenceBolt(), 2).shuffleGrouping("spout")
'''


@pytest.fixture
def wc_dir(tmp_path: Path) -> Path:
    """A small two-component topology directory, as a user writes it."""
    return write_files(tmp_path / "wc", {
        "create.py": CREATE,
        "sentencespout.py": SPOUT_MODULE,
        "splitsentence.py": SPLIT_MODULE,
        "topology.yaml": "topology.workers: 1\ntopology.message.timeout.secs: 30\n"
                         "wc.greeting: ${PETREL_TEST_GREETING:-hello}\n",
        "manifest.txt": "logconfig.ini\n",
        "logconfig.ini": "[loggers]\nkeys=root\n",
    })


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_secret_from_the_environment_stays_out_of_errors(
        wc_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PETREL_TEST_TOKEN", "hunter2-secret")
    (wc_dir / "topology.yaml").write_text(
        "topology.environment:\n  API_TOKEN: ${PETREL_TEST_TOKEN}\n  RETRIES: 3\n")
    code, out, err = run_cli(capsys, "build", "--config", str(wc_dir / "topology.yaml"))
    assert code == 2
    assert "'topology.environment' = {'API_TOKEN': '***', 'RETRIES': 3}" in err
    assert "hunter2" not in out + err


@pytest.mark.parametrize("destjar, words", [
    ("", "--destjar is empty"),
    ("create.py", "the file exists and is not a jar; petrel will not replace it"),
    (".", "is a directory; give a file path"),
])
def test_destjar_never_replaces_user_files(
        wc_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        destjar: str, words: str) -> None:
    monkeypatch.chdir(wc_dir)
    create_py = (wc_dir / "create.py").read_bytes()
    code, _, err = run_cli(capsys, "build", "--config", "topology.yaml", "--destjar", destjar)
    assert code == 2 and words in err
    assert (wc_dir / "create.py").read_bytes() == create_py


def test_destjar_replaces_an_earlier_jar(wc_dir: Path, capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    jar = tmp_path / "out.jar"
    for _ in range(2):
        code, _, err = run_cli(capsys, "build", "--config", str(wc_dir / "topology.yaml"),
                               "--destjar", str(jar))
        assert code == 0, err
    assert zipfile.is_zipfile(jar)


def test_build_writes_the_jar_next_to_topology_yaml(wc_dir: Path) -> None:
    built = build_topology_jar(wc_dir / "topology.yaml")
    assert built.jar == wc_dir / "topology.jar"
    assert built.topology_dir == wc_dir.resolve()
    assert built.conf["wc.greeting"] == "hello"
    assert set(built.topology.components) == {"spout", "split"}
    assert built.name == "wc"
    with zipfile.ZipFile(built.jar) as zf:
        names = set(zf.namelist())
        assert {"resources/sentencespout.py", "resources/splitsentence.py",
                "resources/logconfig.ini", "resources/_petrel_launch_sentencespout.py",
                "resources/_petrel_launch_splitsentence.py"} <= names
        assert "resources/create.py" not in names  # only components and the manifest
        storm_topology = deserialize_topology(zf.read("resources/topology.ser"))
        assert yaml.safe_load(zf.read("resources/__topology__.yaml")) == built.conf
    assert set(storm_topology.spouts) == {"spout"}
    shell = storm_topology.bolts["split"].bolt_object.shell
    assert (shell.execution_command, shell.script) == ("python3", "_petrel_launch_splitsentence.py")
    assert built.files == len(names) and built.size == built.jar.stat().st_size


def test_two_builds_are_byte_identical(wc_dir: Path, tmp_path: Path) -> None:
    first = build_topology_jar(wc_dir / "topology.yaml", destjar=tmp_path / "a.jar")
    time.sleep(0.01)
    for path in wc_dir.iterdir():
        os.utime(path)  # newer timestamps must not change the jar
    second = build_topology_jar(wc_dir / "topology.yaml", destjar=tmp_path / "b.jar")
    assert first.jar.read_bytes() == second.jar.read_bytes()


def test_jar_never_contains_itself(wc_dir: Path) -> None:
    (wc_dir / "manifest.txt").write_text("*\n")
    build_topology_jar(wc_dir / "topology.yaml")
    again = build_topology_jar(wc_dir / "topology.yaml")
    with zipfile.ZipFile(again.jar) as zf:
        assert "resources/topology.jar" not in zf.namelist()
        assert "resources/create.py" in zf.namelist()
    elsewhere = build_topology_jar(wc_dir / "topology.yaml", destjar=wc_dir / "other.jar")
    with zipfile.ZipFile(elsewhere.jar) as zf:
        assert not {"resources/topology.jar", "resources/other.jar"} & set(zf.namelist())


def test_cli_build_prints_one_summary_line(wc_dir: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(wc_dir)
    code, out, err = run_cli(capsys, "build")
    assert code == 0, err
    assert re.fullmatch(r"petrel build: wrote topology\.jar \(2 components, \d+ files, \d+ KiB\) "
                        r"in \d+\.\d\d s\n", out), out
    dest = tmp_path / "out" / "my.jar"
    code, out, err = run_cli(capsys, "build", "--config", str(wc_dir / "topology.yaml"),
                             "--destjar", str(dest))
    assert code == 0 and dest.is_file() and str(dest) in out


def test_note_when_setup_sh_is_not_shipped(wc_dir: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (wc_dir / "setup.sh").write_text("pip install nltk\n")
    code, _, err = run_cli(capsys, "build", "--config", str(wc_dir / "topology.yaml"))
    assert code == 0
    assert "setup.sh is not listed in manifest.txt" in err


@pytest.mark.parametrize("change, expected", [
    ({"manifest.txt": "logconfig.ini\nsetup.sh\n"},
     r"manifest\.txt line 2: 'setup\.sh' matches no file"),
    ({"manifest.txt": "../outside.txt\n"}, r"manifest\.txt line 1: '\.\./outside\.txt' is outside"),
    ({"topology.yaml": "topology.workers: [1\n"}, r"topology\.yaml: YAML syntax error"),
    ({"create.py": None}, r"create\.py: not found"),
    ({"create.py": "def other(builder):\n    pass\n"}, r"create\.py has no function 'create'"),
    ({"create.py": "def create(builder):\n    raise RuntimeError('no redis')\n"}, r"no redis"),
    ({"topology.yaml": "petrel.pip_options: 3\n"}, r"petrel\.pip_options must be"),
])
def test_bad_input_is_one_clear_message(wc_dir: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str],
                                        change: dict[str, str | None], expected: str) -> None:
    (tmp_path / "outside.txt").write_text("x\n")
    for name, text in change.items():
        if text is None:
            (wc_dir / name).unlink()
        else:
            (wc_dir / name).write_text(text)
    code, out, err = run_cli(capsys, "build", "--config", str(wc_dir / "topology.yaml"))
    assert code != 0
    assert err.startswith("petrel build: error: ") and re.search(expected, err), err
    assert "Traceback" not in err and out == ""
    assert not (wc_dir / "topology.jar").exists()


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "build", "--config", str(tmp_path / "nope.yaml"))
    assert code != 0
    assert "nope.yaml: config file not found" in err and "Traceback" not in err


def test_debug_shows_the_traceback(wc_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (wc_dir / "manifest.txt").write_text("missing.txt\n")
    code, _, err = run_cli(capsys, "--debug", "build", "--config", str(wc_dir / "topology.yaml"))
    assert code != 0 and "Traceback" in err and "matches no file" in err
