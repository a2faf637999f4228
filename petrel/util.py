"""Old Petrel's ``petrel.util``: ``read_yaml``, now with petrel's safe YAML loader."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Union

import yaml

from petrel.config import safe_yaml

__all__ = ["read_yaml"]


def read_yaml(config: Union[str, os.PathLike[str]]) -> Any:
    """The value a YAML file holds (any YAML document, as old Petrel's ``read_yaml``).

    Unlike old Petrel's ``yaml.load``, only plain YAML values are read: no Python objects,
    no alias bombs. A missing file raises ``FileNotFoundError`` (old Petrel raised a bare
    Exception), bad YAML a ``ValueError``, each naming the file.
    """
    path = Path(config)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such YAML file (read_yaml takes the path of "
                                f"an existing file)")
    text = path.read_text(encoding="utf-8")
    try:
        return safe_yaml(text, str(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"{path}: YAML error{where}: {problem}; fix the file (read_yaml "
                         f"reads plain YAML values only, no Python objects)") from None
