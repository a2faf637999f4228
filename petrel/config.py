"""Loading topology.yaml: safe YAML only, ``${ENV_VAR}`` expansion, secrets kept out of logs."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

from petrel.errors import PetrelError

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

# Config keys whose values are never printed: anything that looks like a credential.
_SECRET_WORDS = ("password", "secret", "token", "key", "credential", "passwd")


def expand_env(value: Any, *, source: str = "topology.yaml") -> Any:
    """Replace ``${NAME}`` and ``${NAME:-default}`` in every string inside ``value``."""
    if isinstance(value, str):

        def repl(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            raise PetrelError(
                f"{source}: environment variable ${{{name}}} is not set; "
                f"export {name}=... or write ${{{name}:-default}}"
            )

        return _ENV_REF.sub(repl, value)
    if isinstance(value, dict):
        return {k: expand_env(v, source=source) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env(v, source=source) for v in value]
    return value


# YAML aliases repeat a value without copying it, but petrel's config handling (``${ENV}``
# expansion, JSON) walks every repetition: a few nested aliases can stand for millions of
# values (an "alias bomb"). Documents larger than this, counted with aliases expanded, are
# refused before any of that work starts.
MAX_YAML_VALUES = 100_000


def safe_yaml(text: str, source: str) -> Any:
    """``yaml.safe_load`` that refuses alias bombs and too deep nesting with a PetrelError.

    Other YAML errors propagate as ``yaml.YAMLError`` for the caller to word.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        values = _expanded_size(node)
        if values == _SELF_REFERENCE:
            raise PetrelError(f"{source}: a YAML alias (*name) refers to the value that "
                              "contains it, so the value never ends; remove the alias")
        if values > MAX_YAML_VALUES:
            raise PetrelError(
                f"{source}: its YAML aliases (*name) expand to more than {MAX_YAML_VALUES:,} "
                "values; write the values out, or use fewer nested aliases")
        return loader.construct_document(node)
    except RecursionError:
        raise PetrelError(f"{source}: YAML nested too deeply to read; flatten the file") from None
    finally:
        loader.dispose()


_SELF_REFERENCE = -1


def _expanded_size(root: yaml.Node) -> int:
    """How many values ``root`` stands for once every alias is expanded (memoised per node);
    ``_SELF_REFERENCE`` when a value contains itself."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()          # on the current path: an alias to one is a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[id(node)] > MAX_YAML_VALUES:
                return sizes[id(node)]
            continue
        if id(node) in open_nodes:
            return _SELF_REFERENCE
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_config(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """Read a topology.yaml into a dict; a clear PetrelError for every way it can be wrong."""
    if path is None:
        return {}
    p = Path(path)
    if p.is_dir():
        raise PetrelError(
            f"{p}: is a directory; --config takes the topology's config file, "
            f"e.g. --config {p / 'topology.yaml'}"
        )
    if p.exists() and not p.is_file():
        raise PetrelError(f"{p}: is not a regular file (a FIFO, socket or device); "
                          "--config takes the path of the topology's config file")
    if not p.is_file():
        raise PetrelError(
            f"{p}: config file not found; pass --config with the path of topology.yaml"
        )
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PetrelError(f"{p}: cannot read the config file: {exc}") from None
    try:
        data = safe_yaml(text, str(p))
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PetrelError(f"{p}: YAML syntax error{where}: {problem}; fix the file") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PetrelError(
            f"{p}: the top level must be a mapping of config keys, got {type(data).__name__}"
        )
    for key in data:
        if not isinstance(key, str):
            raise PetrelError(f"{p}: config key {key!r} is not a string; quote it")
    data = expand_env(data, source=str(p))
    check_json_safe(data, source=str(p))
    return data


def check_json_safe(conf: dict[str, Any], *, source: str) -> None:
    """Storm requires the topology config to survive a JSON round trip unchanged."""
    try:
        round_trip = json.loads(json.dumps(conf, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise PetrelError(
            f"{source}: the config does not survive JSON ({exc}); use only strings, numbers, "
            "booleans, null, lists and mappings with string keys"
        ) from None
    if round_trip != conf:
        bad = next((k for k in conf if round_trip.get(k) != conf[k]), "?")
        raise PetrelError(
            f"{source}: config key {bad!r} changes in a JSON round trip (Storm would reject it); "
            "use only strings, numbers, booleans, null, lists and mappings with string keys"
        )


def is_secret_key(key: str) -> bool:
    """True for config keys whose values must never be printed or logged."""
    low = key.lower()
    return any(word in low for word in _SECRET_WORDS)


def redact(conf: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``conf`` safe to print: secret-looking values replaced by ``***``."""
    out: dict[str, Any] = {}
    for k, v in conf.items():
        if is_secret_key(str(k)):
            out[k] = "***"
        elif isinstance(v, dict):
            out[k] = redact(v)
        else:
            out[k] = v
    return out


def shown_value(key: str, value: Any) -> str:
    """``repr(value)`` for a message about ``key``, with secret-looking values as ``'***'``."""
    if is_secret_key(key):
        return "'***'"
    if isinstance(value, dict):
        return repr(redact(value))
    return repr(value)
