"""Where Nimbus is: ``--nimbus`` > topology.yaml > storm.yaml > localhost:6627.

The order and its reasons: docs/internals/jar.md#nimbus-address.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from petrel.config import safe_yaml
from petrel.errors import PetrelError

DEFAULT_PORT = 6627
DEFAULT_MAX_BUFFER_SIZE = 1_048_576
SIMPLE_TRANSPORT = "org.apache.storm.security.auth.SimpleTransportPlugin"


@dataclass(frozen=True)
class HostPort:
    """One Nimbus endpoint."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass
class NimbusTarget:
    """The seeds to try in order, plus where they came from (for error messages)."""

    seeds: list[HostPort]
    source: str                       # e.g. "--nimbus", "topology.yaml (nimbus.seeds)"
    hint: str                         # what the user should check when no seed answers
    max_buffer_size: int = DEFAULT_MAX_BUFFER_SIZE
    conf: dict[str, Any] = field(default_factory=dict)   # merged storm.yaml + topology.yaml


def parse_host_port(text: str, default_port: int, *, what: str = "--nimbus") -> HostPort:
    """``host``, ``host:port``, ``[v6addr]`` or ``[v6addr]:port`` as a HostPort."""
    text = text.strip()
    if not text:
        raise PetrelError(f"{what}: empty Nimbus address; give HOST or HOST:PORT")
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise PetrelError(f"{what}: {text!r} has no closing ']'; write [ADDR]:PORT")
        host, rest = text[1:end], text[end + 1:]
        if rest and not rest.startswith(":"):
            raise PetrelError(f"{what}: {text!r} is not HOST:PORT")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not host:
        raise PetrelError(f"{what}: {text!r} has no host name; give HOST or HOST:PORT")
    if not port_text:
        return HostPort(host, default_port)
    return HostPort(host, _port(port_text, f"{what}: {text!r}"))


def _port(value: Any, where: str) -> int:
    try:
        port = int(str(value).strip())
    except ValueError:
        raise PetrelError(f"{where}: port {value!r} is not a number") from None
    if not 0 < port < 65536:
        raise PetrelError(f"{where}: port {port} is out of range 1-65535")
    return port


def storm_yaml_path(env: Mapping[str, str] | None = None) -> Path | None:
    """``$STORM_CONF_DIR/storm.yaml`` if that variable is set, else ``~/.storm/storm.yaml``."""
    env = os.environ if env is None else env
    conf_dir = env.get("STORM_CONF_DIR")
    if conf_dir:
        return Path(conf_dir) / "storm.yaml"
    home = env.get("HOME")
    base = Path(home) if home else Path.home()
    return base / ".storm" / "storm.yaml"


def load_storm_yaml(path: Path | None) -> dict[str, Any]:
    """The user's storm.yaml as a dict (empty if absent); safe YAML only."""
    if path is None or not path.is_file():
        return {}
    try:
        data = safe_yaml(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise PetrelError(f"{path}: cannot read storm.yaml: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise PetrelError(f"{path}: YAML syntax error{where}; fix the file") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PetrelError(f"{path}: the top level must be a mapping of config keys")
    return data


def _seeds_from(conf: Mapping[str, Any], where: str, port: int) -> list[HostPort] | None:
    """``nimbus.seeds`` (a list, or one string) or the legacy ``nimbus.host``, if set."""
    seeds = conf.get("nimbus.seeds")
    if seeds is not None:
        if isinstance(seeds, str):
            seeds = [s for s in seeds.split(",") if s.strip()]
        if not isinstance(seeds, list) or not seeds or not all(isinstance(s, str) for s in seeds):
            raise PetrelError(
                f"{where}: nimbus.seeds must be a non-empty list of host names, got {seeds!r}"
            )
        return [parse_host_port(s, port, what=f"{where}: nimbus.seeds") for s in seeds]
    host = conf.get("nimbus.host")
    if host is not None:
        if not isinstance(host, str) or not host.strip():
            raise PetrelError(f"{where}: nimbus.host must be a host name, got {host!r}")
        return [parse_host_port(host, port, what=f"{where}: nimbus.host")]
    return None


def resolve_nimbus(
    nimbus_arg: str | None,
    topology_conf: Mapping[str, Any] | None = None,
    *,
    topology_conf_name: str = "topology.yaml",
    env: Mapping[str, str] | None = None,
) -> NimbusTarget:
    """The seeds to contact, in the order of precedence the module docstring gives.

    The port of a seed without one is ``nimbus.thrift.port`` from topology.yaml, else from
    storm.yaml, else 6627.
    """
    topology_conf = dict(topology_conf or {})
    yaml_path = storm_yaml_path(env)
    storm_conf = load_storm_yaml(yaml_path)
    merged = {**storm_conf, **topology_conf}
    _check_transport(merged, yaml_path)

    port = DEFAULT_PORT
    for conf, where in ((storm_conf, str(yaml_path)), (topology_conf, topology_conf_name)):
        if conf.get("nimbus.thrift.port") is not None:
            port = _port(conf["nimbus.thrift.port"], f"{where}: nimbus.thrift.port")
    max_buf = merged.get("nimbus.thrift.max_buffer_size", DEFAULT_MAX_BUFFER_SIZE)
    if not isinstance(max_buf, int) or isinstance(max_buf, bool) or max_buf < 1024:
        raise PetrelError(
            f"nimbus.thrift.max_buffer_size must be an integer >= 1024, got {max_buf!r}"
        )

    def target(seeds: list[HostPort], source: str, hint: str) -> NimbusTarget:
        return NimbusTarget(seeds, source, hint, max_buf, merged)

    if nimbus_arg is not None:
        seeds: list[HostPort] | None = [parse_host_port(s, port)
                                        for s in nimbus_arg.split(",") if s.strip()]
        if not seeds:
            raise PetrelError("--nimbus: empty Nimbus address; give HOST or HOST:PORT")
        return target(seeds, "--nimbus", "check --nimbus")
    seeds = _seeds_from(topology_conf, topology_conf_name, port)
    if seeds:
        return target(seeds, topology_conf_name,
                      f"check --nimbus or nimbus.seeds in {topology_conf_name}")
    seeds = _seeds_from(storm_conf, str(yaml_path), port)
    if seeds:
        return target(seeds, str(yaml_path), f"check --nimbus or nimbus.seeds in {yaml_path}")
    return target(
        [HostPort("localhost", port)], "default",
        f"no Nimbus is configured; pass --nimbus HOST[:PORT] or set nimbus.seeds in "
        f"{topology_conf_name} or {yaml_path}",
    )


def _check_transport(conf: Mapping[str, Any], yaml_path: Path | None) -> None:
    """petrel speaks only Storm's default plain framed transport; say so before connecting."""
    for key in ("nimbus.thrift.transport", "storm.thrift.transport"):
        plugin = conf.get(key)
        if plugin and plugin != SIMPLE_TRANSPORT:
            raise PetrelError(
                f"{key} is {plugin} (from {yaml_path} or topology.yaml); petrel's Nimbus client "
                "speaks only the default SimpleTransportPlugin (no Kerberos, digest or TLS). "
                "Use 'petrel submit --via-storm-cli' with an installed 'storm' command instead"
            )
        if plugin:
            break
    if conf.get("nimbus.thrift.client.use.tls") is True:
        raise PetrelError(
            "nimbus.thrift.client.use.tls is true; petrel's Nimbus client does not speak TLS. "
            "Use 'petrel submit --via-storm-cli' with an installed 'storm' command instead"
        )
