"""``petrel pipe MODULE[:Class]``: run one component outside Storm, between stdin and stdout.

Each input line is a tuple for a bolt, each emit one output line (formats:
``petrel.tools.pipe_lines``), so components chain with plain Unix pipes as Hadoop
streaming's mappers and reducers do. The component's logs, and its ``print()`` output, go
to stderr or ``--log FILE``; stdout carries emits only. This module checks the options,
sets up logging and stdout, makes and initializes the component, and hands it to
``petrel.tools.pipe_run``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any, Dict, List, Optional

from petrel.config import load_config
from petrel.emitter import Spout
from petrel.errors import PetrelError
from petrel.runtime.failures import ON_ERROR_KEY
from petrel.runtime.logs import DEFAULT_FORMAT
from petrel.runtime.outputs import declared_streams
from petrel.runtime.stdio import StdoutToLog
from petrel.tools.pipe_lines import DEFAULT_STREAM, jsonl_quick_emit, line_writers
from petrel.tools.pipe_load import make_component
from petrel.tools.pipe_output import PipeCollector, PipeOutput
from petrel.tools.pipe_run import SOURCE, PipeOptions, PipeRun

LOG_LEVELS = ("debug", "info", "warning", "error")


def options_from(args: argparse.Namespace) -> PipeOptions:
    """The checked options of the command line."""
    fields: Optional[List[str]] = None
    if args.fields is not None:
        fields = [f.strip() for f in args.fields.split(",")]
        if not all(fields):
            raise PetrelError(f"--fields {args.fields!r}: give the field names separated by "
                              f"commas, for example --fields word,count")
        if args.format == "text" and len(fields) != 1:
            raise PetrelError(f"--format text makes one-field tuples but --fields names "
                              f"{len(fields)}; use --format tsv or jsonl for wider tuples")
    return PipeOptions(fmt=args.format, fields=fields, with_stream=args.streams,
                       all_streams=args.all_streams, fail_fast=args.fail_fast,
                       count=args.count, tick_every=args.tick_every, quiet=args.quiet)


def configure_logging(log_file: Optional[str], level: str) -> None:
    """The root logger to stderr, or to ``log_file``, at ``level``."""
    handler: logging.Handler
    if log_file:
        try:
            handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            raise PetrelError(f"cannot write the log file {log_file}: "
                              f"{exc.strerror or exc}; choose another with --log") from None
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(DEFAULT_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("stdout").setLevel(logging.INFO)


def _check_component(component: Any, component_id: str, options: PipeOptions) -> bool:
    """Whether the component is a spout; PetrelError for options it cannot use."""
    spout = isinstance(component, Spout)
    if spout and options.tick_every:
        raise PetrelError("--tick-every is for bolts: Storm sends spouts no tick tuples")
    if not spout and options.count is not None:
        raise PetrelError("--count is for spouts: a bolt runs until its input ends")
    streams = declared_streams(component)
    if DEFAULT_STREAM not in streams and not options.all_streams:
        raise PetrelError(f"'{component_id}' declares no 'default' stream (its streams: "
                          f"{', '.join(streams) or 'none'}); pass --all-streams to write them")
    return spout


def _start(component: Any, component_id: str, collector: PipeCollector,
           conf: Dict[str, Any], options: PipeOptions) -> None:
    """Attach the component to the collector and call its ``initialize``."""
    conf = dict(conf)
    conf.update(component.getComponentConfiguration() or {})
    if options.fail_fast:
        conf[ON_ERROR_KEY] = "exit"
    context: Dict[str, Any] = {"componentid": component_id, "taskid": 1,
                               "task->component": {"1": component_id}}
    if options.fields is not None:
        context["source->stream->fields"] = {SOURCE: {DEFAULT_STREAM: options.fields}}
    component.attach(collector, conf, context)
    try:
        component.initialize(conf, context)
    except Exception as exc:
        logging.getLogger("storm").exception("initialize() of '%s' raised", component_id)
        raise PetrelError(f"initialize() of '{component_id}' raised {type(exc).__name__}: "
                          f"{exc}; its traceback is in the log") from exc


def run_pipe(args: argparse.Namespace) -> int:
    """The ``petrel pipe`` handler: run the component until its input (or --count) ends."""
    options = options_from(args)
    conf = load_config(args.config) if args.config else {}
    configure_logging(args.log, args.log_level)
    # stdout carries emits only: keep a private copy of it, and send anything else written
    # there (print(), C extensions) to stderr or the log.
    out_fd = os.dup(1)
    saved_stdout = sys.stdout
    os.dup2(2, 1)
    sys.stdout = StdoutToLog("stdout", fd=1)
    try:
        component_id, component = make_component(args.component)
        spout = _check_component(component, component_id, options)
        output = PipeOutput(out_fd)
        quick_line, any_line = line_writers(options.fmt, options.with_stream)
        collector = PipeCollector(component_id, output, quick_line, any_line,
                                  options.all_streams, spout)
        if not spout and options.fmt == "jsonl" and not options.with_stream:
            collector.quick_emit = jsonl_quick_emit(output.lines.append) or collector.quick_emit
        _start(component, component_id, collector, conf, options)
        return PipeRun(component, component_id, spout, collector, output, options).run()
    finally:
        sys.stdout = saved_stdout
        os.dup2(out_fd, 1)
        os.close(out_fd)
