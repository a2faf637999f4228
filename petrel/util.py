"""Old Petrel's ``petrel.util``: ``read_yaml``, now with petrel's safe YAML loader."""

from __future__ import annotations

import os
from typing import Any, Union

from petrel.config import load_config

__all__ = ["read_yaml"]


def read_yaml(config: Union[str, os.PathLike[str]]) -> Any:
    """The topology config in the YAML file ``config``, as ``petrel submit --config`` reads it.

    Unlike old Petrel's ``yaml.load``, only plain YAML values are read (no Python objects,
    no alias bombs) and ``${VAR}`` references to the environment are expanded; a missing
    file or bad YAML raises ``PetrelError`` naming the file and the fix.
    """
    return load_config(config)
