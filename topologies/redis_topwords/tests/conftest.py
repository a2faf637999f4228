"""redis_topwords' own test set-up: real redis-server fixtures and the replay file's top
words (the shared part is topologies/conftest.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest


@pytest.fixture
def top_words(word_counts: Dict[str, int]) -> List[List[Any]]:
    """The replay file's top 10 ``[word, count]`` pairs: most first, ties by word."""
    return [[w, c] for w, c in sorted(word_counts.items(), key=lambda p: (-p[1], p[0]))[:10]]


# -- Redis -----------------------------------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis_server(workdir: Path) -> Any:
    """Start redis-server on a free 127.0.0.1 port in ``workdir``; (process, URL)."""
    import time

    import redis

    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; "
                    ".ci/run installs it)")
    for _ in range(3):      # the free port may be taken between the check and the start
        port = _free_port()
        proc = subprocess.Popen(
            [exe, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
             "--save", "", "--appendonly", "no", "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                client.ping()
                client.close()
                return proc, url
            except redis.ConnectionError:
                time.sleep(0.02)
        proc.kill()
        proc.wait()
    pytest.fail("could not start redis-server on a free port")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: Any) -> Any:
    """A real redis-server on 127.0.0.1 (free port, temp dir, no persistence); its URL."""
    proc, url = start_redis_server(tmp_path_factory.mktemp("redis"))
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Any:
    """A redis-server of the test's own, which the test may stop: (process, URL)."""
    proc, url = start_redis_server(tmp_path)
    try:
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(10)


@pytest.fixture
def redis_client(redis_url: str) -> Any:
    """A client on an empty database of the test server."""
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    yield client
    client.close()
