"""Nimbus address resolution: --nimbus > topology.yaml > storm.yaml > localhost:6627."""

from __future__ import annotations

from pathlib import Path

import pytest

from petrel.cluster.address import HostPort, parse_host_port, resolve_nimbus
from petrel.errors import PetrelError

KERBEROS = "org.apache.storm.security.auth.kerberos.KerberosSaslTransportPlugin"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, expected", [
    ("nimbus1", HostPort("nimbus1", 6627)),
    ("nimbus1:7000", HostPort("nimbus1", 7000)),
    ("10.0.0.5:6628", HostPort("10.0.0.5", 6628)),
    ("[::1]:7000", HostPort("::1", 7000)),
    ("[fe80::1]", HostPort("fe80::1", 6627)),
    ("::1", HostPort("::1", 6627)),
])
def test_parse_host_port(text: str, expected: HostPort) -> None:
    assert parse_host_port(text, 6627) == expected


@pytest.mark.parametrize("text, words", [
    ("host:abc", "not a number"), ("host:0", "out of range"), ("host:70000", "out of range"),
    (":6627", "no host"), ("", "empty"), ("[::1", "closing"),
])
def test_parse_host_port_errors(text: str, words: str) -> None:
    with pytest.raises(PetrelError, match=words):
        parse_host_port(text, 6627)


def test_default_is_localhost_6627() -> None:
    target = resolve_nimbus(None, {})
    assert target.seeds == [HostPort("localhost", 6627)]
    assert target.source == "default"
    assert "pass --nimbus" in target.hint


def test_nimbus_option_wins_over_everything(monkeypatch, tmp_path: Path) -> None:
    _write(tmp_path / "conf" / "storm.yaml", "nimbus.seeds: [from-storm-yaml]\n")
    monkeypatch.setenv("STORM_CONF_DIR", str(tmp_path / "conf"))
    target = resolve_nimbus("cli-host,cli2:7001", {"nimbus.seeds": ["from-topology"]})
    assert target.seeds == [HostPort("cli-host", 6627), HostPort("cli2", 7001)]
    assert target.hint == "check --nimbus"


def test_topology_yaml_seeds_and_port_win_over_storm_yaml(monkeypatch, tmp_path: Path) -> None:
    _write(tmp_path / "conf" / "storm.yaml", "nimbus.seeds: [s1]\nnimbus.thrift.port: 7100\n")
    monkeypatch.setenv("STORM_CONF_DIR", str(tmp_path / "conf"))
    conf = {"nimbus.seeds": ["n1", "n2:7200"], "nimbus.thrift.port": 7000}
    target = resolve_nimbus(None, conf, topology_conf_name="topo/topology.yaml")
    assert target.seeds == [HostPort("n1", 7000), HostPort("n2", 7200)]
    assert target.hint == "check --nimbus or nimbus.seeds in topo/topology.yaml"


def test_legacy_nimbus_host_and_storm_yaml_port(monkeypatch, tmp_path: Path) -> None:
    _write(tmp_path / "conf" / "storm.yaml", "nimbus.thrift.port: 7100\n")
    monkeypatch.setenv("STORM_CONF_DIR", str(tmp_path / "conf"))
    target = resolve_nimbus(None, {"nimbus.host": "old-nimbus"})
    assert target.seeds == [HostPort("old-nimbus", 7100)]


def test_storm_conf_dir_then_home_storm_yaml(monkeypatch, tmp_path: Path) -> None:
    home = Path.home()  # the fixture's fake HOME
    _write(home / ".storm" / "storm.yaml", "nimbus.seeds: [home-nimbus]\n")
    assert resolve_nimbus(None, {}).seeds == [HostPort("home-nimbus", 6627)]
    _write(tmp_path / "conf" / "storm.yaml", "nimbus.seeds: [conf-dir-nimbus]\n")
    monkeypatch.setenv("STORM_CONF_DIR", str(tmp_path / "conf"))
    target = resolve_nimbus(None, {})
    assert target.seeds == [HostPort("conf-dir-nimbus", 6627)]
    assert str(tmp_path / "conf" / "storm.yaml") in target.hint


def test_max_buffer_size_from_config() -> None:
    assert resolve_nimbus(None, {}).max_buffer_size == 1_048_576
    target = resolve_nimbus(None, {"nimbus.thrift.max_buffer_size": 2_000_000})
    assert target.max_buffer_size == 2_000_000


@pytest.mark.parametrize("conf, words", [
    ({"nimbus.seeds": "a,b"}, None),
    ({"nimbus.seeds": []}, "non-empty list"),
    ({"nimbus.seeds": [1, 2]}, "non-empty list"),
    ({"nimbus.host": 5}, "host name"),
    ({"nimbus.thrift.port": "x"}, "not a number"),
    ({"nimbus.thrift.transport": KERBEROS}, "--via-storm-cli"),
    ({"nimbus.thrift.client.use.tls": True}, "TLS"),
])
def test_config_mistakes(conf: dict, words: str | None) -> None:
    if words is None:
        assert resolve_nimbus(None, conf).seeds == [HostPort("a", 6627), HostPort("b", 6627)]
        return
    with pytest.raises(PetrelError, match=words):
        resolve_nimbus(None, conf)


def test_broken_storm_yaml_is_a_clear_error(monkeypatch, tmp_path: Path) -> None:
    path = _write(tmp_path / "conf" / "storm.yaml", "nimbus.seeds: [a\n  b: c: d\n")
    monkeypatch.setenv("STORM_CONF_DIR", str(tmp_path / "conf"))
    with pytest.raises(PetrelError, match=str(path)):
        resolve_nimbus(None, {})


def test_storm_yaml_is_loaded_safely(monkeypatch, tmp_path: Path) -> None:
    _write(tmp_path / "conf" / "storm.yaml", "x: !!python/object/apply:os.system ['true']\n")
    monkeypatch.setenv("STORM_CONF_DIR", str(tmp_path / "conf"))
    with pytest.raises(PetrelError, match="YAML"):
        resolve_nimbus(None, {})
