"""Direct emits on Storm 2.6+: ``-DJSON_SMART_SIMPLE=true`` in the workers' JVM options.

Since 2.6.0, Storm reads multilang messages with json-smart, whose default mode gives a
small whole number as an ``Integer``; Storm's ``JsonSerializer`` casts the ``task`` of a
direct emit to ``Long`` and the worker dies with a ``ClassCastException``. The system
property ``JSON_SMART_SIMPLE`` switches json-smart to its json-simple mode, where whole
numbers are ``Long`` again. json-smart only checks that the property is set, so any value
turns the mode on. Older Storm (json-simple) ignores the property.

``petrel submit NAME`` adds it to ``topology.worker.childopts`` when a shell component
declares a direct stream, unless ``petrel.json_smart_simple: false``.
"""

from __future__ import annotations

from typing import Any, Optional

from petrel.topology.validate import JSON_SMART_KEY

JSON_SMART_OPTION = "-DJSON_SMART_SIMPLE=true"
CHILDOPTS_KEY = "topology.worker.childopts"
# json-smart switches on the property being set at all, whatever its value.
_PROPERTY = "-DJSON_SMART_SIMPLE"


def shell_direct_streams(topology: Any) -> list[str]:
    """``component/stream`` for every direct stream a shell (multilang) component declares."""
    if topology is None:
        return []
    return [f"{cid}/{sid}"
            for cid, component in sorted(topology.components.items()) if component.is_shell
            for sid, stream in sorted(component.streams.items()) if stream.direct]


def has_json_smart_option(childopts: Any) -> bool:
    """True when ``childopts`` (a string or a list of strings) already sets the property."""
    parts = childopts if isinstance(childopts, list) else str(childopts or "").split()
    return any(str(part).split("=", 1)[0] == _PROPERTY for part in parts)


def with_json_smart_option(childopts: Any) -> Any:
    """``childopts`` with ``-DJSON_SMART_SIMPLE=true`` appended, in the same form (string or
    list of strings, both of which Storm accepts); unchanged when it sets the property."""
    if has_json_smart_option(childopts):
        return childopts
    if isinstance(childopts, list):
        return [*childopts, JSON_SMART_OPTION]
    text = str(childopts or "").strip()
    return f"{text} {JSON_SMART_OPTION}" if text else JSON_SMART_OPTION


def conf_for_direct_emits(conf: dict[str, Any], topology: Any
                          ) -> tuple[dict[str, Any], Optional[str]]:
    """The conf to submit and what petrel did to it (a sentence for the user), or None.

    With a shell component's direct stream and ``petrel.json_smart_simple`` not false, the
    result has ``-DJSON_SMART_SIMPLE=true`` in ``topology.worker.childopts``; ``conf``
    itself is never changed.
    """
    streams = shell_direct_streams(topology)
    if not streams or conf.get(JSON_SMART_KEY, True) is False:
        return conf, None
    current = conf.get(CHILDOPTS_KEY)
    if has_json_smart_option(current):
        return conf, None
    shown = ", ".join(streams[:3]) + (f" and {len(streams) - 3} more" if len(streams) > 3
                                      else "")
    plural = "s" if len(streams) > 1 else ""
    note = (f"added {JSON_SMART_OPTION} to {CHILDOPTS_KEY}: Storm 2.6+ workers crash on "
            f"multilang direct emits without it (direct stream{plural} {shown}); "
            f"'{JSON_SMART_KEY}: false' in topology.yaml turns this off")
    return {**conf, CHILDOPTS_KEY: with_json_smart_option(current)}, note


def unset_option_warning(conf: dict[str, Any], topology: Any) -> Optional[str]:
    """For ``--via-storm-cli``, which submits topology.yaml as it is: what a direct stream
    still needs when the option is neither set nor turned off, else None."""
    streams = shell_direct_streams(topology)
    if not streams or conf.get(JSON_SMART_KEY, True) is False \
            or has_json_smart_option(conf.get(CHILDOPTS_KEY)):
        return None
    return (f"the direct stream {streams[0]} crashes Storm 2.6+ workers unless "
            f"{CHILDOPTS_KEY} has {JSON_SMART_OPTION}; --via-storm-cli submits topology.yaml "
            "as it is: add it there (petrel submit without --via-storm-cli adds it by itself)")
