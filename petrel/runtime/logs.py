"""Where a component logs: ``<logdir>/petrel<pid>_<module>.log`` and how logging is set up.

The log directory is ``$PETREL_LOGDIR`` when set (the local runner sets it), else the
current directory (the topology's ``resources/`` on a Storm worker). ``PETREL_LOG_PATH``
holds the file's path so ``logconfig.ini`` handlers can use ``os.getenv('PETREL_LOG_PATH')``.
A ``logconfig.ini`` in the current directory is used when present; otherwise one file
handler with the book's format logs the root logger at INFO. That file rotates by size, so a
chatty component cannot fill the disk: at ``$PETREL_LOG_MAX_BYTES`` (default 10 MiB; 0 never
rotates) it becomes ``<file>.1`` and ``$PETREL_LOG_BACKUPS`` older files are kept (default 3).
The local runner sets both from ``petrel.log.max.bytes`` and ``petrel.log.backups``.
"""

from __future__ import annotations

import logging
import logging.config
import logging.handlers
import os
import re
from typing import Optional, Tuple

DEFAULT_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s]%(message)s"
LOG_CONFIG_FILE = "logconfig.ini"
LOGDIR_ENV = "PETREL_LOGDIR"
LOG_PATH_ENV = "PETREL_LOG_PATH"
MAX_BYTES_ENV = "PETREL_LOG_MAX_BYTES"
BACKUPS_ENV = "PETREL_LOG_BACKUPS"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_BACKUPS = 3


def rotation() -> Tuple[int, int]:
    """(max bytes per file, backups kept) from the environment; defaults for bad values."""
    def number(name: str, default: int) -> int:
        text = os.environ.get(name, "")
        return int(text) if text.isdigit() else default
    return number(MAX_BYTES_ENV, DEFAULT_MAX_BYTES), number(BACKUPS_ENV, DEFAULT_BACKUPS)


def log_dir() -> str:
    """``$PETREL_LOGDIR`` if set, else the current directory."""
    return os.environ.get(LOGDIR_ENV) or os.getcwd()


def log_path(module: str, pid: Optional[int] = None, directory: Optional[str] = None) -> str:
    """``<directory>/petrel<pid>_<module>.log`` (characters unsafe in file names replaced)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", module) or "component"
    pid = os.getpid() if pid is None else pid
    return os.path.join(directory or log_dir(), f"petrel{pid}_{safe}.log")


def _show_prints() -> None:
    # print() output is logged at INFO on logger 'stdout'; keep it visible unless the
    # user's configuration set that logger's level on purpose.
    stdout_logger = logging.getLogger("stdout")
    if stdout_logger.level == logging.NOTSET:
        stdout_logger.setLevel(logging.INFO)


def configure_logging(path: str, config_file: str = LOG_CONFIG_FILE) -> str:
    """Set up logging for a component; returns a sentence saying which set-up was used.

    A ``config_file`` that exists but cannot be loaded falls back to the default set-up,
    and the problem is logged (naming the file) instead of stopping the component.
    """
    os.environ[LOG_PATH_ENV] = path
    problem = None
    if os.path.exists(config_file):
        try:
            logging.config.fileConfig(config_file, disable_existing_loggers=False)
            _show_prints()
            return f"logging configured from {os.path.abspath(config_file)}"
        except Exception as exc:  # any error in a user's ini file: fall back, say why
            problem = f"{os.path.abspath(config_file)} could not be used ({type(exc).__name__}: " \
                      f"{exc}); using the default logging set-up instead"
    max_bytes, backups = rotation()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes,
                                                   backupCount=backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter(DEFAULT_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    _show_prints()
    if problem:
        logging.getLogger("storm").error("%s", problem)
        return problem
    return f"default logging to {path} (no {config_file} in {os.getcwd()})"
