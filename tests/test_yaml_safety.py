"""topology.yaml and storm.yaml: alias bombs, self-referring aliases and too deep nesting are
one clear error, read in milliseconds; ordinary anchors and aliases still work."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from petrel import config
from petrel.cluster.address import load_storm_yaml
from petrel.config import load_config
from petrel.errors import PetrelError


def _bomb(levels: int = 8, width: int = 9) -> str:
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_topology_yaml_is_refused_at_once(tmp_path: Path) -> None:
    conf = tmp_path / "topology.yaml"
    conf.write_text(_bomb())                       # 9**8 = 43 million values once expanded
    started = time.monotonic()
    with pytest.raises(PetrelError, match=r"aliases \(\*name\) expand to more than 100,000"):
        load_config(conf)
    assert time.monotonic() - started < 2.0
    assert str(conf) in str(pytest.raises(PetrelError, load_config, conf).value)


def test_an_alias_bomb_in_storm_yaml_is_refused_too(tmp_path: Path) -> None:
    storm_yaml = tmp_path / "storm.yaml"
    storm_yaml.write_text(_bomb())
    with pytest.raises(PetrelError, match="expand to more than"):
        load_storm_yaml(storm_yaml)


def test_ordinary_anchors_and_aliases_still_load(tmp_path: Path) -> None:
    conf = tmp_path / "topology.yaml"
    conf.write_text("base: &b {x: 1, y: [1, 2]}\nfirst: *b\nsecond: *b\n")
    data = load_config(conf)
    assert data["first"] == data["second"] == {"x": 1, "y": [1, 2]}
    small = tmp_path / "small.yaml"
    small.write_text(_bomb(levels=2, width=3))     # 1 + 3 + 9 repetitions: fine
    assert load_config(small)["a2"] == [[["lol"]] * 3] * 3


def test_the_limit_counts_values_with_aliases_expanded(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "MAX_YAML_VALUES", 50)
    conf = tmp_path / "topology.yaml"
    conf.write_text("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a]\n")   # 47 values
    assert len(load_config(conf)["b"]) == 3
    conf.write_text("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a]\n")   # 57
    with pytest.raises(PetrelError, match="expand to more than 50 values"):
        load_config(conf)


def test_an_alias_inside_its_own_value_is_refused(tmp_path: Path) -> None:
    conf = tmp_path / "topology.yaml"
    conf.write_text("a: &a [1, *a]\n")
    with pytest.raises(PetrelError, match="refers to the value that contains it"):
        load_config(conf)


def test_too_deep_nesting_is_one_clear_error(tmp_path: Path) -> None:
    conf = tmp_path / "topology.yaml"
    conf.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(PetrelError, match="nested too deeply to read"):
        load_config(conf)
