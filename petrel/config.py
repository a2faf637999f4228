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


def load_config(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """Read a topology.yaml into a dict; a clear PetrelError for every way it can be wrong."""
    if path is None:
        return {}
    p = Path(path)
    if not p.is_file():
        raise PetrelError(
            f"{p}: config file not found; pass --config with the path of topology.yaml"
        )
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PetrelError(f"{p}: cannot read the config file: {exc}") from None
    try:
        data = yaml.safe_load(text)
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
