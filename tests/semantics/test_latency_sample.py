"""The complete-latency sample: bounded memory, and the latest values for live figures."""

from __future__ import annotations

from petrel.semantics import stats
from petrel.semantics.stats import LatencySample


def test_sample_stays_bounded_and_uniform(monkeypatch):
    monkeypatch.setattr(stats, "LATENCY_SAMPLES", 1000)
    sample = LatencySample()
    for i in range(20_000):
        sample.add(float(i))
    assert len(sample.values) == 1000 and sample.count == 20_000
    # a uniform sample of 0..19999: its median is near 10,000, not near the first values kept
    assert 8_000 < sample.percentile(50) < 12_000


def test_recent_holds_the_latest_values_once_the_sample_is_full(monkeypatch):
    monkeypatch.setattr(stats, "LATENCY_SAMPLES", 100)
    sample = LatencySample()
    for i in range(10_000):
        sample.add(float(i))
    assert list(sample.recent) == [float(i) for i in range(10_000 - stats.RECENT_LATENCIES,
                                                           10_000)]
    # the sample's own tail is a random replacement, not the latest values
    assert list(sample.values[-5:]) != [9995.0, 9996.0, 9997.0, 9998.0, 9999.0]
