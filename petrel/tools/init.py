"""``petrel init NAME``: a new topology directory from the word-count template.

The template files live in ``petrel/tools/templates/wordcount/`` as ``*.tmpl``; each is
copied without its ``.tmpl`` suffix with ``{{name}}`` replaced by the topology name (the
last part of NAME). Nothing that exists is overwritten.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from petrel.errors import PetrelError

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "wordcount"
TEMPLATE_SUFFIX = ".tmpl"
PLACEHOLDER = "{{name}}"
# Storm refuses topology names with / . : \ ; the name is also used as a config-key prefix.
_VALID_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def template_files() -> dict[str, Path]:
    """Relative output path -> template file, for every file of the template."""
    out = {}
    for path in sorted(TEMPLATE_DIR.rglob("*" + TEMPLATE_SUFFIX)):
        rel = path.relative_to(TEMPLATE_DIR).as_posix()
        out[rel[: -len(TEMPLATE_SUFFIX)]] = path
    return out


def check_name(name: str) -> None:
    """PetrelError unless ``name`` can be a Storm topology name and a config-key prefix."""
    if not _VALID_NAME.match(name):
        raise PetrelError(
            f"'{name}' cannot be a topology name: use a letter followed by letters, digits, "
            "'_' or '-' (for example wordcount or my-topology)")


def create_topology_dir(target: Path) -> list[Path]:
    """Write the template into ``target`` (new, or an empty directory); returns the files."""
    name = target.name
    check_name(name)
    if target.exists() and not target.is_dir():
        raise PetrelError(f"{target} exists and is not a directory; choose another NAME")
    if target.is_dir() and any(target.iterdir()):
        raise PetrelError(f"{target} already exists and is not empty; petrel init never "
                          "overwrites files: choose another NAME or remove the directory")
    files = template_files()
    if not files:  # pragma: no cover - a broken installation
        raise PetrelError(f"the topology template is missing from {TEMPLATE_DIR}; "
                          "reinstall petrel")
    written = []
    try:
        for rel, source in files.items():
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(source.read_text(encoding="utf-8").replace(PLACEHOLDER, name),
                            encoding="utf-8")
            written.append(dest)
    except OSError as exc:
        raise PetrelError(f"cannot create {target}: {exc.strerror or exc}; check the "
                          "path and its permissions") from None
    return written


def run_init(args: argparse.Namespace) -> int:
    """The ``petrel init`` handler: create the directory and say what to do next."""
    target = Path(args.name)
    written = create_topology_dir(target)
    print(f"petrel init: created topology '{target.name}' in {target} ({len(written)} files)")
    print("next steps:")
    print(f"  cd {target}")
    print("  python -m pytest                                   # unit tests with petrel.mock")
    print("  petrel submit --config topology.yaml --duration 10 # run it here for 10 seconds")
    print("  petrel graph -o topology.svg                       # draw it")
    return 0
