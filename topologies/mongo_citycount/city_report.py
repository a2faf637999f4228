"""Print the city mentions counted by the mongo_citycount topology, per hour and city.

    python city_report.py [--config topology.yaml] [--url MONGODB_URL] [--hours N]

Reads the MongoDB settings from topology.yaml (``mongo_citycount.*``); ``--url``
overrides the server. Not a component: run it on any machine that reaches MongoDB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

# cityminutes builds on the modules the example topologies share (the jar ships them
# from ../common; this script runs from the source tree).
sys.path.insert(1, str(Path(__file__).resolve().parent.parent / "common"))

from cityminutes import (  # noqa: E402
    PREFIX,
    MongoCitySettings,
    SettingsError,
    hourly_counts,
    open_client,
    safe_url,
    utc_now,
)


def load_settings(config: str, url: Optional[str]) -> MongoCitySettings:
    """The mongo_citycount settings from ``config`` (if it exists), ``url`` overriding."""
    conf: Dict[str, Any] = {}
    if Path(config).is_file():
        from petrel.config import load_config

        conf = load_config(config)
    if url:
        conf[PREFIX + "mongodb_url"] = url
    return MongoCitySettings(conf)


def format_report(rows: List[Tuple[dt.datetime, str, int]]) -> str:
    """The rows as an aligned table: hour (UTC), city, mentions."""
    table = [("hour (UTC)", "city", "mentions")]
    table += [(hour.strftime("%Y-%m-%d %H:00"), city, str(n)) for hour, city, n in rows]
    w0 = max(len(r[0]) for r in table)
    w1 = max(len(r[1]) for r in table)
    w2 = max(len(r[2]) for r in table)
    lines = [f"{a:<{w0}}  {b:<{w1}}  {c:>{w2}}" for a, b, c in table]
    lines.insert(1, f"{'-' * w0}  {'-' * w1}  {'-' * w2}")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None, client: Any = None) -> int:
    """Print the report; 0 on success, 1 with a one-line message when something is wrong."""
    parser = argparse.ArgumentParser(description="City mentions per hour, from MongoDB.")
    parser.add_argument("--config", default="topology.yaml", help="the topology's config")
    parser.add_argument("--url", help="MongoDB URL (default: mongo_citycount.mongodb_url)")
    parser.add_argument("--hours", type=int, default=None, metavar="N",
                        help="only the last N hours (default: everything)")
    args = parser.parse_args(argv)
    from petrel.errors import PetrelError

    try:
        settings = load_settings(args.config, args.url)
    except (SettingsError, PetrelError) as exc:
        print(f"city_report: error: {exc}", file=sys.stderr)
        return 1
    since = None
    if args.hours is not None:
        since = utc_now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(
            hours=max(args.hours - 1, 0))
    try:
        if client is None:
            client = open_client(settings)
        rows = hourly_counts(client[settings.database][settings.collection], since)
    except Exception as exc:     # pymongo's errors: one line for the user, no traceback
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"city_report: error: cannot read {settings.database}.{settings.collection} "
              f"from MongoDB at {safe_url(settings.mongodb_url)} ({first}); start mongod "
              f"or pass --url", file=sys.stderr)
        return 1
    if not rows:
        print(f"no city mentions recorded in {settings.database}.{settings.collection} yet")
        return 0
    print(format_report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
