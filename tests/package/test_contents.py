"""The jar layout: runtime, modules, launcher scripts, settings, and the errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging_helpers import make_topology, write_files

from petrel.errors import PetrelError
from petrel.package import contents
from petrel.package.manifest import manifest_files
from petrel.topology.model import ComponentDef, StreamDef


def entries(topo_dir: Path, topo=None, conf: dict[str, Any] | None = None,
            name: str = "wc") -> dict[str, Any]:
    return contents.jar_entries(topo=topo or make_topology("randomsentence", "splitsentence"),
                                conf=conf if conf is not None else {"topology.workers": 1},
                                topology_dir=topo_dir, topology_ser=b"SER",
                                manifest=manifest_files(topo_dir), name=name,
                                source="topology.yaml")


def test_layout(topo_dir: Path) -> None:
    (topo_dir / "manifest.txt").write_text("logconfig.ini\ndata\n")
    got = entries(topo_dir, conf={"topology.workers": 2, "b": [1, "x"], "a": {"z": 1}})
    names = set(got)
    assert all(n.startswith("resources/") for n in names)
    for expected in ["resources/topology.ser", "resources/__topology__.yaml",
                     "resources/__submitter__.yaml", "resources/__petrel__.json",
                     "resources/_petrel_launch_randomsentence.py",
                     "resources/_petrel_launch_splitsentence.py",
                     "resources/randomsentence.py", "resources/splitsentence.py",
                     "resources/logconfig.ini", "resources/data/words.txt",
                     "resources/data/deep/more.csv", "resources/petrel/__init__.py",
                     "resources/petrel/runtime/launcher.py"]:
        assert expected in names, expected
    assert got["resources/topology.ser"] == b"SER"
    conf_yaml = got["resources/__topology__.yaml"].decode()
    assert yaml.safe_load(conf_yaml) == {"topology.workers": 2, "b": [1, "x"], "a": {"z": 1}}
    assert conf_yaml.index("a:") < conf_yaml.index("b:") < conf_yaml.index("topology.workers")
    submitter = yaml.safe_load(got["resources/__submitter__.yaml"])
    assert set(submitter) == {"petrel.user", "petrel.host"}
    assert "resources/manifest.txt" not in names  # only what the manifest lists


def test_runtime_is_worker_side_only(topo_dir: Path) -> None:
    runtime = [n[len("resources/petrel/"):] for n in entries(topo_dir)
               if n.startswith("resources/petrel/")]
    allowed = {"__init__.py", "emitter.py", "storm.py", "run.py", "debug.py"}
    assert all(n in allowed or n.startswith("runtime/") for n in runtime), runtime
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in runtime)
    assert {"__init__.py", "emitter.py", "runtime/launcher.py"} <= set(runtime)


def test_package_modules_bring_their_init_files(topo_dir: Path) -> None:
    write_files(topo_dir, {"bolts/__init__.py": "", "bolts/count/__init__.py": "",
                           "bolts/count/words.py": "# bolt\n"})
    got = entries(topo_dir, make_topology("randomsentence", "bolts.count.words"))
    for name in ["bolts/__init__.py", "bolts/count/__init__.py", "bolts/count/words.py",
                 "_petrel_launch_bolts.count.words.py"]:
        assert "resources/" + name in got


def test_package_module_itself(topo_dir: Path) -> None:
    write_files(topo_dir, {"counter/__init__.py": "# bolt\n"})
    assert "resources/counter/__init__.py" in entries(
        topo_dir, make_topology("randomsentence", "counter"))


def test_missing_module_names_the_component(topo_dir: Path) -> None:
    with pytest.raises(PetrelError) as err:
        entries(topo_dir, make_topology("randomsentence", "nosuchbolt"))
    assert "component 'bolt0': module 'nosuchbolt' not found" in err.value.message


@pytest.mark.parametrize("files, manifest, words", [
    ({"json.py": "X = 1\n"}, None, "json.py: 'json' is the name of a Python standard-library"),
    ({"logging/__init__.py": "", "logging/extra.py": ""}, "logging\n",
     "logging/__init__.py: 'logging' is the name of a Python standard-library"),
    ({"string.py": ""}, "*.py\n", "string.py: 'string' is the name"),
])
def test_a_module_named_like_the_standard_library_is_refused(
        topo_dir: Path, files: dict[str, str], manifest: str | None, words: str) -> None:
    write_files(topo_dir, files)
    if manifest:
        (topo_dir / "manifest.txt").write_text(manifest)
    topo = make_topology("randomsentence", "json") if manifest is None else None
    with pytest.raises(PetrelError, match="rename it") as err:
        entries(topo_dir, topo)
    assert words in err.value.message


def test_harmless_and_nested_standard_library_names_are_shipped(topo_dir: Path) -> None:
    write_files(topo_dir, {"test.py": "", "lib/json.py": ""})
    (topo_dir / "manifest.txt").write_text("test.py\nlib\n")
    names = entries(topo_dir)
    assert "resources/test.py" in names and "resources/lib/json.py" in names


def test_launcher_script_hands_over_with_its_own_directory_first(tmp_path: Path) -> None:
    source = contents.launcher_source("pkg.mod")
    assert source.count(b"\n") == 3
    # Run it against a fake petrel package to see what main() receives.
    fake = write_files(tmp_path / "res", {
        "petrel/__init__.py": "",
        "petrel/runtime/__init__.py": "",
        "petrel/runtime/launcher.py": "import sys\ndef main(module):\n"
                                      "    print(module, sys.path[0])\n",
    })
    (fake / "launch.py").write_bytes(source)
    out = subprocess.run([sys.executable, str(fake / "launch.py")], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["pkg.mod", str(fake)]


def test_settings(topo_dir: Path) -> None:
    write_files(topo_dir, {"setup.sh": "pip install x\n", "requirements.txt": "six\n"})
    conf = {"petrel.python": "python3.11", "petrel.workdir": "/var/petrel",
            "petrel.pip_options": "--no-index --find-links '/srv/my wheels'"}
    (topo_dir / "manifest.txt").write_text("setup.sh\nrequirements.txt\n")
    settings = json.loads(entries(topo_dir, conf=conf)["resources/__petrel__.json"])
    assert settings["python"] == "python3.11"
    assert settings["workdir"] == "/var/petrel"
    assert settings["pip_options"] == ["--no-index", "--find-links", "/srv/my wheels"]
    assert settings["requirements"] is True and settings["setup_sh"] is True
    assert settings["topology_name"] == "wc"
    # The environment key follows what goes into the environment.
    before = settings["env_hash"]
    (topo_dir / "requirements.txt").write_text("six==1.16.0\n")
    after = json.loads(entries(topo_dir, conf=conf)["resources/__petrel__.json"])["env_hash"]
    assert before != after


def test_settings_defaults(topo_dir: Path) -> None:
    settings = json.loads(entries(topo_dir, conf={})["resources/__petrel__.json"])
    assert settings["python"] == "python3" and settings["workdir"] is None
    assert settings["pip_options"] == []
    assert settings["requirements"] is False and settings["setup_sh"] is False


def test_setup_sh_not_in_manifest_is_not_shipped(topo_dir: Path) -> None:
    write_files(topo_dir, {"setup.sh": "echo hi\n"})
    got = entries(topo_dir)
    assert "resources/setup.sh" not in got
    assert json.loads(got["resources/__petrel__.json"])["setup_sh"] is False


@pytest.mark.parametrize("conf, message", [
    ({"petrel.pip_options": 3}, "petrel.pip_options must be a string or a list"),
    ({"petrel.pip_options": "--index-url 'x"}, "petrel.pip_options: No closing quotation"),
    ({"petrel.python": "python3 -u"}, "petrel.python must be one interpreter name"),
    ({"petrel.workdir": ["x"]}, "petrel.workdir must be a directory path"),
])
def test_bad_settings(topo_dir: Path, conf: dict[str, Any], message: str) -> None:
    with pytest.raises(PetrelError, match="^topology.yaml: " + message):
        entries(topo_dir, conf=conf)


def test_manifest_file_may_not_replace_petrel_files(topo_dir: Path) -> None:
    write_files(topo_dir, {"petrel/storm.py": "# my own\n"})
    (topo_dir / "manifest.txt").write_text("petrel\n")
    with pytest.raises(PetrelError, match="'petrel/storm.py' would replace a file petrel writes"):
        entries(topo_dir)


def test_shell_component_script_must_be_shipped(topo_dir: Path) -> None:
    topo = make_topology("randomsentence")
    topo.components["node"] = ComponentDef(
        id="node", kind="bolt", streams={"default": StreamDef(["w"])},
        execution_command="node", script="splitsentence.js")
    with pytest.raises(PetrelError, match="component 'node': script 'splitsentence.js' is not "
                                          "in the jar; list it in manifest.txt"):
        entries(topo_dir, topo)
    write_files(topo_dir, {"splitsentence.js": "// js\n", "manifest.txt": "*.js\n"})
    assert "resources/splitsentence.js" in entries(topo_dir, topo)


def test_launcher_source_is_valid_python_for_odd_names() -> None:
    code = contents.launcher_source("it's")
    calls: list[str] = []
    fake_launcher = type(sys)("petrel.runtime.launcher")
    fake_launcher.main = calls.append  # type: ignore[attr-defined]
    saved_path = list(sys.path)
    saved = sys.modules.get("petrel.runtime.launcher")
    sys.modules["petrel.runtime.launcher"] = fake_launcher
    try:
        exec(compile(code, "launch", "exec"), {"__file__": "/x/launch.py"})
    finally:
        sys.path[:] = saved_path
        if saved is not None:
            sys.modules["petrel.runtime.launcher"] = saved
        else:
            del sys.modules["petrel.runtime.launcher"]
    assert calls == ["it's"]
