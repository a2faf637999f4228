"""The jar writer streams each file: memory stays flat whatever the size of a shipped file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest

from petrel.package.jar import write_jar

_MIB = 1024 * 1024

# Peak memory (ru_maxrss, KiB on Linux) before and after writing a jar holding one big file.
_MEASURE = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from petrel.package.jar import write_jar
    big, jar = Path(sys.argv[1]), Path(sys.argv[2])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    write_jar(jar, {"resources/big.bin": big, "resources/small.txt": b"small"})
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(before, after)
""")


def test_a_large_file_goes_into_the_jar_without_being_read_into_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    size = 200 * _MIB
    with open(big, "wb") as f:     # sparse: instant to create, zeros compress fast
        f.truncate(size)
    jar = tmp_path / "t.jar"
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(big), str(jar)],
                         capture_output=True, text=True, timeout=120, check=True)
    before, after = (int(v) for v in out.stdout.split())
    growth_mib = (after - before) / 1024
    assert growth_mib < 50, f"peak memory grew by {growth_mib:.0f} MiB for a 200 MiB file"
    with zipfile.ZipFile(jar) as zf:
        info = zf.getinfo("resources/big.bin")
        assert info.file_size == size
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert zf.read("resources/small.txt") == b"small"
        with zf.open(info) as stream:   # the content survives the round trip
            assert stream.read(_MIB) == bytes(_MIB)


def test_a_streamed_file_gives_the_same_bytes_as_its_content_given_in_memory(
        tmp_path: Path) -> None:
    src = tmp_path / "data.txt"
    src.write_bytes(b"the cow jumped over the moon\n" * 100_000)   # several chunks
    streamed, in_memory = tmp_path / "a.jar", tmp_path / "b.jar"
    write_jar(streamed, {"resources/data.txt": src})
    write_jar(in_memory, {"resources/data.txt": src.read_bytes()})
    assert streamed.read_bytes() == in_memory.read_bytes()


def test_ctrl_c_while_an_entry_is_being_opened_is_reported_as_such(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "data.txt"
    src.write_bytes(b"x" * 1000)
    calls = {"n": 0}
    real = zlib.compressobj

    def interrupted_on_the_second_entry(*args: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(zipfile.zlib, "compressobj", interrupted_on_the_second_entry)
    with pytest.raises(KeyboardInterrupt):    # not zipfile's "Can't close the ZIP file"
        write_jar(tmp_path / "t.jar", {"resources/data.txt": src})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.txt"]
