"""The example topologies, as they ship in topologies/, on a real Apache Storm.

twitter_topwords: the worker's launcher builds the topology's Python environment from its
requirements.txt once, on the first task's start; the topology replays its sample file and
its total ranker logs the file's own top words in ``resources/``, every task's cwd.
redis_topwords: the same on a real redis-server, whose window sets must hold exactly the
replay file's word counts, with its logs moved by ``topology.environment``'s
``PETREL_LOGDIR``. And a launcher that fails: Nimbus shows its reason as the error.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from storm_helpers import RealStorm, copy_topology, free_port_block, wait_until

TOPWORDS = "examples-topwords"
REDIS_TOPWORDS = "examples-redis-topwords"
SAMPLE_TWEETS = 400  # lines of tweets_sample.jsonl
EMITTING = re.compile(r"\]Emitting: \['(\w+)', (\d+)\]$")
STAMP = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})\]")


# -- helpers ---------------------------------------------------------------------------------

@dataclass
class Submitted:
    """A topology submitted for a test module: where it runs and what it was built from."""

    name: str
    topology_id: str
    source: Path        # the copy of topologies/NAME that was submitted
    workdir: Path       # petrel.workdir: where the worker builds the topology's environment
    submitted_at: float
    logdir: Path | None = None  # PETREL_LOGDIR given through topology.environment

    @property
    def env_dir(self) -> Path:
        """The topology's Python environment on this machine's worker."""
        return self.workdir / f"petrel-env-{self.topology_id}"


def prepare_copy(name: str, dest: Path, settings: dict[str, Any]) -> Path:
    """A copy of ``topologies/NAME`` with ``settings`` written into its topology.yaml."""
    topo = copy_topology(name, dest)
    shutil.rmtree(topo / "tests", ignore_errors=True)
    conf = yaml.safe_load((topo / "topology.yaml").read_text(encoding="utf-8"))
    conf.update(settings)
    (topo / "topology.yaml").write_text(yaml.safe_dump(conf), encoding="utf-8")
    return topo


def submit_copy(storm: RealStorm, topo: Path, name: str, workdir: Path,
                logdir: Path | None = None) -> Submitted:
    """Submit ``topo`` as ``name``; its id as Nimbus reports it."""
    started = time.time()
    out = storm.submit(topo, name)
    assert f"submitted topology '{name}' to Nimbus at {storm.nimbus}" in out, out
    topology_id = storm.topology_id(name)
    assert topology_id is not None
    return Submitted(name, topology_id, topo, workdir, started, logdir)


def resources_dir(storm: RealStorm, topology_id: str) -> Path | None:
    """The jar's ``resources/`` as the supervisor extracted it: every task's cwd."""
    found = sorted(storm.directory.glob(f"*/supervisor/stormdist/{topology_id}/resources"))
    return found[0] if found else None


def log_lines(storm: RealStorm, submitted: Submitted, module: str) -> list[str]:
    """Every line the tasks of ``module`` logged so far to ``petrel<pid>_<module>.log``
    (in ``resources/`` unless the topology gave its workers a ``PETREL_LOGDIR``)."""
    directory = submitted.logdir or resources_dir(storm, submitted.topology_id)
    if directory is None:
        return []
    lines: list[str] = []
    for path in sorted(directory.glob(f"petrel*_{module}.log")):
        lines += path.read_text(encoding="utf-8", errors="replace").splitlines()
    return lines


def last_rankings(lines: list[str]) -> list[list[Any]] | None:
    """The ``[word, count]`` pairs logged after the last ``Top N words:`` line."""
    starts = [i for i, line in enumerate(lines) if line.endswith(" words:")]
    if not starts:
        return None
    found = (EMITTING.search(line) for line in lines[starts[-1] + 1:])
    return [[m.group(1), int(m.group(2))] for m in found if m]


def log_time(line: str) -> float:
    """The epoch time of a ``[YYYY-mm-dd HH:MM:SS,mmm]...`` log line (local time)."""
    match = STAMP.match(line)
    assert match, line
    return time.mktime(time.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")) \
        + int(match.group(2)) / 1000


def replay_word_counts(topo: Path) -> dict[str, int]:
    """Each countable word of the replay file the topology ships, counted with the
    tweetwords.py it ships: both come from topologies/common, copied beside the topology.

    Run in a child interpreter so this topology's modules never meet another's here.
    """
    code = (
        "import collections, json, sys\n"
        "sys.path.insert(0, '.')\n"
        "from tweetwords import TweetWords\n"
        "words = TweetWords()\n"
        "texts = [json.loads(l)['data']['text'] for l in open('tweets_sample.jsonl')]\n"
        "print(json.dumps(collections.Counter(w for t in texts for w in words.words(t))))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=topo.parent / "common",
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


def top_ten(counts: dict[str, int]) -> list[list[Any]]:
    """The 10 most counted words, ties by word: both topologies' ranking rule."""
    return [[w, c] for w, c in sorted(counts.items(), key=lambda p: (-p[1], p[0]))[:10]]


def start_redis_server(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A redis-server of this module's own on a free 127.0.0.1 port: (process, port)."""
    import redis

    exe = shutil.which("redis-server") or "redis-server"

    for _ in range(3):  # the port may be taken between the check and the start
        port = free_port_block(1)
        proc = subprocess.Popen(
            [exe, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                client.ping()
                client.close()
                return proc, port
            except redis.ConnectionError:
                time.sleep(0.05)
        proc.kill()
        proc.wait()
    pytest.fail("could not start redis-server on a free port")


# -- the two example topologies, submitted together so that their cold starts overlap ------

@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int | None]:
    """A real redis-server on 127.0.0.1 for this module, its port; None without redis-server."""
    if shutil.which("redis-server") is None:
        yield None
        return
    proc, port = start_redis_server(tmp_path_factory.mktemp("redis"))
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def submit_topwords(storm: RealStorm, base: Path) -> Submitted:
    """twitter_topwords as shipped, replaying its sample file once with 1-second ticks, its
    environment built in a directory of the test's own."""
    workdir = base / "envs"
    topo = prepare_copy("twitter_topwords", base, {
        "twitter.mode": "replay", "twitter.replay_rate": 0, "twitter.replay_loop": False,
        "twitter_word_count.num_windows": 120, "twitter_word_count.window_duration": 1,
        "twitter_word_count.rankings_emit_secs": 1,
        "topology.stats.sample.rate": 1.0, "petrel.workdir": str(workdir)})
    return submit_copy(storm, topo, TOPWORDS, workdir)


def submit_redis_topwords(storm: RealStorm, base: Path, redis_port: int) -> Submitted:
    """redis_topwords as shipped, counting into the module's redis-server (10-minute
    windows, so the whole replay lands in one or two), its component logs sent to a
    directory of the test's own through topology.environment."""
    workdir, logdir = base / "envs", base / "logs"
    topo = prepare_copy("redis_topwords", base, {
        "twitter.mode": "replay", "twitter.replay_rate": 0, "twitter.replay_loop": False,
        "twitter_word_count.redis_url": f"redis://127.0.0.1:{redis_port}/0",
        "twitter_word_count.num_windows": 5, "twitter_word_count.window_duration": 600,
        "twitter_word_count.rankings_emit_secs": 1,
        "topology.stats.sample.rate": 1.0, "petrel.workdir": str(workdir),
        "topology.environment": {"PETREL_LOGDIR": str(logdir)}})
    return submit_copy(storm, topo, REDIS_TOPWORDS, workdir, logdir)


@pytest.fixture(scope="module")
def examples(storm: RealStorm, redis_port: int | None,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Submitted]]:
    """Both example topologies on the cluster (redis_topwords only with a redis-server);
    killed afterwards."""
    running: dict[str, Submitted] = {}
    try:
        running[TOPWORDS] = submit_topwords(storm, tmp_path_factory.mktemp("topwords"))
        if redis_port is not None:
            running[REDIS_TOPWORDS] = submit_redis_topwords(
                storm, tmp_path_factory.mktemp("redis-topwords"), redis_port)
        yield running
    finally:
        for name in running:
            storm.kill(name)


@pytest.fixture(scope="module")
def topwords(examples: dict[str, Submitted]) -> Submitted:
    """twitter_topwords on the cluster."""
    return examples[TOPWORDS]


@pytest.fixture(scope="module")
def redis_topwords(examples: dict[str, Submitted]) -> Submitted:
    """redis_topwords on the cluster (skipped without redis-server)."""
    if REDIS_TOPWORDS not in examples:
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    return examples[REDIS_TOPWORDS]


# -- twitter_topwords ------------------------------------------------------------------------

def test_the_first_task_builds_the_environment_from_requirements_and_the_others_reuse_it(
        storm: RealStorm, topwords: Submitted) -> None:
    lines = wait_until(
        lambda: (found := log_lines(storm, topwords, "virtualenv"))
        and sum("starting " in line for line in found) >= 11 and found,
        240, "all 11 tasks of twitter_topwords start their component")
    env = topwords.env_dir
    created = [line for line in lines if f"creating the environment {env} " in line]
    assert len(created) == 1, "\n".join(lines)
    assert sum("installing requirements.txt done in" in line for line in lines) == 1
    reused = [line for line in lines if f"reusing the environment {env}" in line]
    assert len(reused) == 10, "\n".join(lines)
    ready = next(line for line in lines if "environment ready in" in line)
    print(f"\ntwitter_topwords cold start: environment {ready.rsplit(' in ', 1)[1]} "
          f"(requirements.txt installed), {log_time(ready) - topwords.submitted_at:.1f} s "
          "after submit")
    started = [line for line in lines if "starting " in line]
    assert all(f"starting {env}/bin/python -m petrel.run " in line for line in started)


def test_the_environment_has_the_packages_of_requirements_txt(
        storm: RealStorm, topwords: Submitted) -> None:
    env = wait_until(lambda: (topwords.env_dir / ".petrel-complete").is_file()
                     and topwords.env_dir, 240, "the environment is complete")
    site = list(env.glob("lib/python3*/site-packages"))
    assert len(site) == 1, site
    assert list(site[0].glob("nltk-*.dist-info")) and list(site[0].glob("tweepy-4.*.dist-info"))
    proc = subprocess.run([str(env / "bin" / "python"), "-c",
                           "import nltk, tweepy, sys; print(sys.prefix)"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()) == env


def test_the_replay_file_is_read_from_the_workers_resources(
        storm: RealStorm, topwords: Submitted) -> None:
    spout = wait_until(lambda: (found := log_lines(storm, topwords, "tweetspout"))
                       and any("pass 1 done" in line for line in found) and found,
                       240, "the spout reads its replay file")
    text = "\n".join(spout)
    assert f"replay of tweets_sample.jsonl: pass 1 done, {SAMPLE_TWEETS} tweets queued" in text
    resources = resources_dir(storm, topwords.topology_id)
    assert f"cwd {resources}" in text and f"({topwords.env_dir}/bin/python)" in text
    stats = wait_until(lambda: (s := storm.stats(TOPWORDS)).get("spout")
                       and s["spout"].acked >= SAMPLE_TWEETS and s,
                       120, f"the spout's {SAMPLE_TWEETS} tweets are acked")
    assert stats["spout"].acked == SAMPLE_TWEETS and stats["spout"].failed == 0


def test_the_total_ranker_logs_the_top_words_of_the_replay_file(
        storm: RealStorm, topwords: Submitted) -> None:
    expected = top_ten(replay_word_counts(topwords.source))
    wait_until(lambda: last_rankings(log_lines(storm, topwords, "totalrankings")) == expected,
               120, f"total-ranker logs {expected}")
    assert storm.errors(TOPWORDS) == {}


# -- redis_topwords --------------------------------------------------------------------------

def _window_totals(client: Any) -> dict[str, int]:
    totals: dict[str, int] = {}
    for key in client.keys("twitter_word_count:*"):
        for word, score in client.zrange(key, 0, -1, withscores=True):
            totals[word] = totals.get(word, 0) + int(score)
    return totals


def test_redis_windows_hold_the_word_counts_of_the_replay_file(
        storm: RealStorm, redis_port: int | None, redis_topwords: Submitted) -> None:
    import redis

    counts = replay_word_counts(redis_topwords.source)
    client = redis.Redis(port=redis_port, decode_responses=True)
    try:
        wait_until(lambda: _window_totals(client) == counts, 240,
                   f"Redis holds the {sum(counts.values())} words of the replay file")
        now = time.time()
        keys = client.keys("twitter_word_count:*")
        assert 1 <= len(keys) <= 2, keys
        for key in keys:
            start = int(key.split(":")[1])
            assert start % 600 == 0
            assert redis_topwords.submitted_at - 600 < start <= now
            assert abs(client.ttl(key) - (start + 5 * 600 - now)) <= 3
        assert client.type("twitter_word_count") == "zset"
    finally:
        client.close()
    stats = wait_until(lambda: (s := storm.stats(REDIS_TOPWORDS)).get("spout")
                       and s["spout"].acked >= SAMPLE_TWEETS and s,
                       60, f"Nimbus reports the spout's {SAMPLE_TWEETS} tweets acked")
    assert stats["spout"].acked == SAMPLE_TWEETS and stats["spout"].failed == 0


def test_redis_ranker_logs_and_stores_the_top_words(
        storm: RealStorm, redis_port: int | None, redis_topwords: Submitted) -> None:
    import redis

    expected = top_ten(replay_word_counts(redis_topwords.source))
    wait_until(lambda: last_rankings(log_lines(storm, redis_topwords, "redisrankings")) == expected,
               120, f"total-ranker logs {expected}")
    client = redis.Redis(port=redis_port, decode_responses=True)
    try:
        union = client.zrevrange("twitter_word_count", 0, -1, withscores=True)
    finally:
        client.close()
    assert {w: int(s) for w, s in union} == replay_word_counts(redis_topwords.source)
    assert storm.errors(REDIS_TOPWORDS) == {}


def test_topology_environment_petrel_logdir_moves_the_logs_out_of_resources(
        storm: RealStorm, redis_topwords: Submitted) -> None:
    lines = wait_until(
        lambda: (found := log_lines(storm, redis_topwords, "virtualenv"))
        and sum("starting " in line for line in found) >= 7 and found,
        240, "all 7 tasks of redis_topwords start their component")
    ready = next(line for line in lines if "environment ready in" in line)
    print(f"\nredis_topwords cold start: environment {ready.rsplit(' in ', 1)[1]}, "
          f"{log_time(ready) - redis_topwords.submitted_at:.1f} s after submit")
    assert any("installing requirements.txt done" in line for line in lines)
    assert list(redis_topwords.env_dir.glob("lib/python3*/site-packages/redis-*.dist-info"))
    assert log_lines(storm, redis_topwords, "redisrankings")
    resources = resources_dir(storm, redis_topwords.topology_id)
    assert resources is not None and not list(resources.glob("petrel*.log"))


# -- a launcher that fails -------------------------------------------------------------------

def test_a_failing_setup_sh_is_the_components_error_in_nimbus(
        storm: RealStorm, tmp_path: Path) -> None:
    name = "examples-setup-fails"
    topo = prepare_copy("wordcount", tmp_path, {"petrel.workdir": str(tmp_path / "envs")})
    (topo / "setup.sh").write_text('echo "no compiler on this worker" >&2\nexit 3\n')
    with open(topo / "manifest.txt", "a", encoding="utf-8") as manifest:
        manifest.write("\nsetup.sh\n")
    submit_copy(storm, topo, name, tmp_path / "envs")
    try:
        errors = wait_until(lambda: (e := storm.errors(name)) and e, 120,
                            "Nimbus holds an error of a component")
        text = "\n".join(e for errs in errors.values() for e in errs)
        assert "petrel launcher: running setup.sh failed with exit code 3" in text
        assert "no compiler on this worker" in text and "_virtualenv.log" in text
        assert not list((tmp_path / "envs").glob("petrel-env-*/.petrel-complete"))
    finally:
        storm.kill(name)
