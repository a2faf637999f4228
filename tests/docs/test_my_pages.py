"""The examples and key lists of tutorial.md, debugging.md and config.md stay true."""

from __future__ import annotations

import ast
import json
import re

from error_catalog import PACKAGE, REPO

DOCS = REPO / "docs"
PAGES = ["tutorial.md", "debugging.md", "config.md", "cli.md", "migration.md",
         "troubleshooting.md"]


def code_blocks(page: str, language: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_python_examples_parse() -> None:
    blocks = [b for page in PAGES for b in code_blocks(page, "python")]
    assert len(blocks) >= 5
    for block in blocks:
        ast.parse(block)


def test_json_and_yaml_examples_parse() -> None:
    import yaml

    for block in code_blocks("debugging.md", "json"):
        json.loads(block)
    for block in code_blocks("debugging.md", "yaml"):
        assert isinstance(yaml.safe_load(block), dict)


def test_tutorial_test_is_the_templates_test() -> None:
    template = (PACKAGE / "tools" / "templates" / "wordcount" / "tests" /
                "test_topology.py.tmpl").read_text()
    for block in code_blocks("tutorial.md", "python"):
        if block.startswith("def test_"):
            assert block.strip() in template


def test_config_page_lists_every_petrel_key_the_code_reads() -> None:
    page = (DOCS / "config.md").read_text(encoding="utf-8")
    keys = set()
    for path in PACKAGE.rglob("*.py"):
        keys |= set(re.findall(r"[\"'](petrel\.[a-z_]+)[\"]", path.read_text()))
    modules = {"petrel." + p.stem for p in PACKAGE.glob("*.py")} | {
        "petrel." + p.name for p in PACKAGE.iterdir() if p.is_dir()}
    keys -= modules
    assert "petrel.python" in keys and "petrel.on_error" in keys
    missing = sorted(k for k in keys if f"`{k}" not in page)
    assert not missing, f"docs/config.md lacks {missing}"


def test_my_pages_are_indexed() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        assert f"[{page}]({page})" in index
