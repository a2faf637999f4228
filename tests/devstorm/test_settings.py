"""The cluster directory: ports, storm.yaml, the record ``up`` leaves for the others."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from petrel.cluster.devcluster import ClusterDir, ClusterRecord, Ports, default_directory
from petrel.devstorm.settings import prepare
from petrel.errors import PetrelError


def test_storm_yaml_points_every_daemon_at_loopback_and_this_directory(tmp_path: Path) -> None:
    cluster = ClusterDir(tmp_path)
    ports = Ports(nimbus=1, ui=2, zookeeper=3, supervisor=4, slots=[5, 6])
    prepare(cluster, ports, ui=True)
    conf = yaml.safe_load((tmp_path / "conf" / "storm.yaml").read_text())
    assert conf["nimbus.seeds"] == ["127.0.0.1"] and conf["nimbus.thrift.port"] == 1
    assert conf["storm.zookeeper.servers"] == ["127.0.0.1"] and conf["storm.zookeeper.port"] == 3
    assert conf["storm.local.hostname"] == "127.0.0.1"
    assert conf["storm.local.dir"] == str(tmp_path / "data")
    assert conf["dev.zookeeper.path"] == str(tmp_path / "zookeeper")
    assert conf["supervisor.slots.ports"] == [5, 6] and conf["supervisor.thrift.port"] == 4
    assert conf["ui.host"] == "127.0.0.1" and conf["ui.port"] == 2
    assert conf["executor.metrics.frequency.secs"] == 5


def test_without_the_ui_no_ui_port_is_written(tmp_path: Path) -> None:
    prepare(ClusterDir(tmp_path), Ports(), ui=False)
    assert "ui.port" not in yaml.safe_load((tmp_path / "conf" / "storm.yaml").read_text())


def test_a_port_given_twice_is_refused() -> None:
    with pytest.raises(PetrelError, match="port 6627 is given to both the Nimbus and the UI"):
        Ports(ui=6627).check()
    with pytest.raises(PetrelError, match="is not in 1..65535"):
        Ports(slots=[70000]).check()


def test_the_record_survives_a_round_trip_and_a_broken_one_reads_as_none(tmp_path: Path) -> None:
    record = ClusterRecord("2.8.3", "/h", "/usr/bin/java", Ports(slots=[7000]), False, 1.5)
    record.save(tmp_path / "cluster.json")
    assert ClusterRecord.load(tmp_path / "cluster.json") == record
    (tmp_path / "cluster.json").write_text("{not json")
    assert ClusterRecord.load(tmp_path / "cluster.json") is None
    assert ClusterRecord.load(tmp_path / "missing.json") is None


def test_the_default_directory_follows_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setenv("PETREL_STORM_DIR", str(tmp_path / "c"))
    assert default_directory() == tmp_path / "c"
    monkeypatch.delenv("PETREL_STORM_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_directory() == tmp_path / "state" / "petrel" / "storm-cluster"


def test_storm_1_workers_get_childopts_java_9_and_newer_accept(tmp_path: Path) -> None:
    prepare(ClusterDir(tmp_path), Ports(), ui=False, storm_1=True)
    conf = yaml.safe_load((tmp_path / "conf" / "storm.yaml").read_text())
    assert conf["worker.childopts"].startswith("-Xmx%HEAP-MEM%m ")
    assert "PrintGCDateStamps" not in conf["worker.childopts"]
    prepare(ClusterDir(tmp_path / "2"), Ports(), ui=False)
    assert "worker.childopts" not in yaml.safe_load((tmp_path / "2/conf/storm.yaml").read_text())
