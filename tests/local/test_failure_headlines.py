"""A component that cannot start: the run's report leads with petrel's one-line headline."""

from __future__ import annotations

from pathlib import Path

from test_watching import book_topology, submit


def _failure_report(config: Path) -> list:
    proc = submit(config, "--duration", "20", "--logdir", str(config.parent / "logs"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, (out, err)
    lines = err.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("petrel: bolt 'split'"))
    return lines[start:]


def test_a_module_missing_from_the_jar_leads_with_the_fix(tmp_path):
    config = book_topology(tmp_path / "book")
    split = config.parent / "booksplit.py"
    # imported at run time only, so the build cannot see it
    split.write_text(split.read_text().replace(
        "def run():\n", "def run():\n    __import__('text' + 'util')\n"))
    (config.parent / "textutil.py").write_text("WORDS = 1\n")
    report = _failure_report(config)
    assert report[0].startswith(
        "petrel: bolt 'split' task 2 failed: component module 'booksplit': failed before the "
        "handshake (in run() or the component's constructor): ModuleNotFoundError: No module "
        "named 'textutil'; add textutil.py to manifest.txt if it is in the topology directory, "
        "or 'textutil' to requirements.txt if it comes from a package"), report
    assert report[1] == "  the runner saw: Pipe to subprocess seems to be broken! No output read."
    assert any("__import__('text' + 'util')" in ln for ln in report)   # the stderr tail
    assert not any("importlib" in ln for ln in report)


def test_run_without_self_in_the_class_gets_a_headline(tmp_path):
    """The build sees it first (the worker's own headline for it is tested in
    tests/runtime/test_headlines.py): the run never starts."""
    config = book_topology(tmp_path / "book")
    split = config.parent / "booksplit.py"
    # the book's Redis code: the module's run() indented into the class
    split.write_text(split.read_text().replace(
        "\n\ndef run():\n    SplitBolt().run()\n", "\n    def run():\n        SplitBolt().run()\n"))
    proc = submit(config, "--duration", "20", "--logdir", str(config.parent / "logs"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, (out, err)
    assert "bolt 'split': SplitBolt.run() overrides petrel's run loop with the wrong " \
        "signature; remove it or rename it" in err
    assert "running topology" not in out
