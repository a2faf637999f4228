"""The headline a failing worker writes first: the module, what failed and the fix."""

from __future__ import annotations

import importlib

from petrel.runtime.headlines import missing_module_fix, short_traceback, wrong_run_signature


def _raised(fn):
    try:
        fn()
    except Exception as exc:  # the test wants the exception with its traceback
        return exc
    raise AssertionError("nothing raised")


def test_a_missing_module_names_both_fixes():
    exc = _raised(lambda: importlib.import_module("petrel_no_such_helper"))
    assert missing_module_fix(exc) == (
        "add petrel_no_such_helper.py to manifest.txt if it is in the topology directory, or "
        "'petrel_no_such_helper' to requirements.txt if it comes from a package")


def test_a_missing_submodule_names_its_path_and_a_chained_one_is_found():
    def wrapped():
        try:
            importlib.import_module("json.no_such_part")
        except ImportError as exc:
            raise RuntimeError("setting up failed") from exc
    fix = missing_module_fix(_raised(wrapped))
    assert fix is not None and fix.startswith("add json/no_such_part.py to manifest.txt")
    assert missing_module_fix(ValueError("x")) is None


def test_run_without_self_in_a_component_class_gets_its_headline():
    class SplitBolt:
        def run():  # the book's module-level run, indented into the class by mistake
            pass
    exc = _raised(lambda: SplitBolt().run())
    headline = wrong_run_signature(exc, "SplitBolt")
    assert headline is not None and headline.startswith(
        "SplitBolt.run() overrides petrel's run loop with the wrong signature; remove it or "
        "rename it")
    assert wrong_run_signature(TypeError("f() takes 0 positional arguments but 1 was given")) \
        is None
    assert wrong_run_signature(ValueError("run() takes 0 positional arguments but 1 was given")) \
        is None


def test_the_short_traceback_leaves_out_the_import_machinery():
    exc = _raised(lambda: importlib.import_module("petrel_no_such_helper"))
    full, short = _full(exc), short_traceback(exc)
    assert "importlib" in full and "<frozen importlib._bootstrap" in full
    assert "importlib/__init__.py" not in short and "<frozen" not in short
    assert short.endswith("ModuleNotFoundError: No module named 'petrel_no_such_helper'\n")


def _full(exc: BaseException) -> str:
    import traceback
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
