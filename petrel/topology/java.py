"""JVM objects in a topology: constructor arguments typed the way Storm's reflection needs.

Storm builds a ``JavaObject`` by finding a constructor whose parameter types are the
boxed classes of the Thrift arguments (Integer, Long, String, Boolean, ByteBuffer,
Double), so each Python value must map to the right Thrift ``JavaObjectArg`` member.
"""

from __future__ import annotations

import builtins
import re
from typing import Any, Iterable

from petrel.topology.model import JavaObjectDef

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

JAVA_ARG_TYPES = ("int", "long", "string", "bool", "binary", "double")
_JAVA_CLASS_NAME = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")


class JavaArg:
    """A JVM constructor argument with an explicit Thrift type, e.g. ``JavaArg.long(5)``.

    Plain Python values are typed automatically (see ``java_arg``); use this when the
    Java constructor wants another boxed type, such as ``Long`` for a small number.
    """

    def __init__(self, type_name: str, value: Any) -> None:
        if type_name not in JAVA_ARG_TYPES:
            raise ValueError(f"unknown Java argument type {type_name!r}; "
                             f"use one of {JAVA_ARG_TYPES}")
        self.type_name = type_name
        self.value = value

    def __repr__(self) -> str:
        return f"JavaArg.{self.type_name}({self.value!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, JavaArg) and other.type_name == self.type_name
                and other.value == self.value)

    @classmethod
    def int(cls, value: int) -> JavaArg:
        """A ``java.lang.Integer`` argument (32 bits)."""
        return cls("int", value)

    @classmethod
    def long(cls, value: builtins.int) -> JavaArg:
        """A ``java.lang.Long`` argument (64 bits)."""
        return cls("long", value)

    @classmethod
    def string(cls, value: str) -> JavaArg:
        """A ``java.lang.String`` argument."""
        return cls("string", value)

    @classmethod
    def bool(cls, value: builtins.bool) -> JavaArg:
        """A ``java.lang.Boolean`` argument."""
        return cls("bool", value)

    @classmethod
    def binary(cls, value: bytes) -> JavaArg:
        """A ``java.nio.ByteBuffer`` argument."""
        return cls("binary", value)

    @classmethod
    def double(cls, value: float) -> JavaArg:
        """A ``java.lang.Double`` argument."""
        return cls("double", value)


def java_arg(value: Any) -> tuple[str, Any]:
    """The (thrift_type, value) pair for one constructor argument; ValueError if it has none.

    bool -> bool, int -> int (long when it does not fit 32 bits), float -> double,
    str -> string, bytes -> binary; ``JavaArg`` or a ``(type, value)`` pair is taken as given.
    """
    if isinstance(value, JavaArg):
        return _checked_java_arg(value.type_name, value.value)
    if (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)
            and value[0] in JAVA_ARG_TYPES):
        return _checked_java_arg(value[0], value[1])
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        if INT32_MIN <= value <= INT32_MAX:
            return ("int", value)
        return _checked_java_arg("long", value)
    if isinstance(value, float):
        return ("double", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, (bytes, bytearray)):
        return ("binary", bytes(value))
    raise ValueError(
        f"{value!r} ({type(value).__name__}) has no Java type; use int, str, bool, float or "
        "bytes, or type it explicitly with JavaArg.long(...) or a ('long', value) pair"
    )


def _checked_java_arg(type_name: str, value: Any) -> tuple[str, Any]:
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool)
        and INT32_MIN <= value <= INT32_MAX,
        "long": isinstance(value, int) and not isinstance(value, bool)
        and INT64_MIN <= value <= INT64_MAX,
        "string": isinstance(value, str),
        "bool": isinstance(value, bool),
        "binary": isinstance(value, (bytes, bytearray)),
        "double": isinstance(value, (int, float)) and not isinstance(value, bool),
    }[type_name]
    if not ok:
        limits = {"int": "a 32-bit integer", "long": "a 64-bit integer", "string": "a str",
                  "bool": "True or False", "binary": "bytes", "double": "a number"}
        raise ValueError(f"{value!r} is not a valid {type_name} argument: "
                         f"it must be {limits[type_name]}")
    if type_name == "binary":
        value = bytes(value)
    elif type_name == "double":
        value = float(value)
    return (type_name, value)


def java_object(class_name: Any, args: Iterable[Any] | None,
                where: str) -> tuple[JavaObjectDef, list[str]]:
    """A ``JavaObjectDef`` from a class name and Python arguments, plus any problems found."""
    problems: list[str] = []
    if not isinstance(class_name, str) or not _JAVA_CLASS_NAME.match(class_name):
        problems.append(f"{where}: {class_name!r} is not a Java class name; give the full "
                        "name, e.g. 'org.apache.storm.kafka.spout.KafkaSpout'")
        class_name = str(class_name)
    typed: list[tuple[str, Any]] = []
    for i, value in enumerate(args or [], start=1):
        try:
            typed.append(java_arg(value))
        except ValueError as exc:
            problems.append(f"{where}: constructor argument {i}: {exc}")
    return JavaObjectDef(class_name, typed), problems
