"""petrel's storm.thrift and encoder: golden bytes (docs/internals/thrift.md#wire-encoding)."""

from __future__ import annotations

import struct

import pytest
from thriftpy2.protocol import TBinaryProtocolFactory
from thriftpy2.thrift import TMessageType
from thriftpy2.transport import TMemoryBuffer
from thriftpy2.utils import serialize

from petrel.errors import PetrelError
from petrel.topology.model import ComponentDef, GroupingDef, StreamDef, TopologyDef
from petrel.topology.thrift import (
    check_required,
    deserialize_topology,
    load_idl,
    serialize_topology,
    to_thrift,
)

T = load_idl()
FACTORY = TBinaryProtocolFactory(strict_read=False, strict_write=True)


def enc(obj: object) -> bytes:
    return serialize(obj, FACTORY)


def h(text: str) -> bytes:
    """Hex with spaces and "quoted ASCII" parts, as docs/internals/thrift.md writes them."""
    out = b""
    for i, part in enumerate(text.split('"')):
        out += part.encode() if i % 2 else bytes.fromhex(part.replace(" ", ""))
    return out


def test_idl_is_loaded_once_under_the_agreed_module_name() -> None:
    assert load_idl() is T
    assert T.__name__ == "storm_thrift"


def test_golden_bytes_of_b1() -> None:
    assert enc(T.Grouping(shuffle=T.NullStruct())) == h("0C 0002 00 00")
    assert enc(T.Grouping(fields=[])) == h("0F 0001 0B 00000000 00")
    assert enc(T.ShellComponent("python3", "bolt.py")) == h(
        '0B 0001 00000007 "python3" 0B 0002 00000007 "bolt.py" 00'
    )
    assert enc(T.NullStruct()) == b"\x00"


def test_framed_get_cluster_info_call_matches_b1() -> None:
    from thriftpy2.protocol import TBinaryProtocol

    buf = TMemoryBuffer()
    proto = TBinaryProtocol(buf, strict_write=True)
    proto.write_message_begin("getClusterInfo", TMessageType.CALL, 0)
    T.Nimbus.getClusterInfo_args().write(proto)
    proto.write_message_end()
    payload = buf.getvalue()
    framed = struct.pack(">i", len(payload)) + payload
    assert framed == h('0000001B 80010001 0000000E "getClusterInfo" 00000000 00')


def test_submit_options_and_kill_options_encoding() -> None:
    # initial_status is an i32 1 (ACTIVE) / 2 (INACTIVE); KillOptions{} is the empty struct.
    assert enc(T.SubmitOptions(initial_status=T.TopologyInitialStatus.ACTIVE)) == h(
        "08 0001 00000001 00"
    )
    assert enc(T.SubmitOptions(initial_status=T.TopologyInitialStatus.INACTIVE)) == h(
        "08 0001 00000002 00"
    )
    assert enc(T.KillOptions()) == b"\x00"


def test_service_methods_have_the_listed_argument_and_exception_ids() -> None:
    n = T.Nimbus
    spec = n.submitTopologyWithOpts_args.thrift_spec
    assert [(i, spec[i][1]) for i in sorted(spec)] == [
        (1, "name"),
        (2, "uploadedJarLocation"),
        (3, "jsonConf"),
        (4, "topology"),
        (5, "options"),
    ]
    res = n.submitTopology_result.thrift_spec
    assert {i: (res[i][1], res[i][2].__name__) for i in (1, 2, 3)} == {
        1: ("e", "AlreadyAliveException"),
        2: ("ite", "InvalidTopologyException"),
        3: ("aze", "AuthorizationException"),
    }
    assert n.rebalance_result.thrift_spec[2][2].__name__ == "InvalidTopologyException"
    assert n.getLeader_result.thrift_spec[0][1] == "success"
    assert n.getTopologyPageInfo_args.thrift_spec[3][:2] == (2, "is_include_sys")
    for method in (
        "submitTopology",
        "killTopology",
        "killTopologyWithOpts",
        "activate",
        "deactivate",
        "rebalance",
        "beginFileUpload",
        "uploadChunk",
        "finishFileUpload",
        "getNimbusConf",
        "getClusterInfo",
        "getLeader",
        "isTopologyNameAllowed",
        "getTopologyInfo",
        "getTopologyInfoWithOpts",
        "getTopologyConf",
        "getTopology",
        "getUserTopology",
        "getTopologySummaries",
        "getTopologySummaryByName",
        "getTopologyPageInfo",
    ):
        assert method in n.thrift_services


def test_version_dependent_reply_fields_are_optional() -> None:
    # A 0.9.x ClusterSummary has no nimbuses; a 2.x one has no field 2. Both must decode.
    cs = T.ClusterSummary.thrift_spec
    assert cs[2][-1] is False and cs[4][-1] is False and cs[1][-1] is True
    old_style = h("0F 0001 0C 00000000  08 0002 00000010  0F 0003 0C 00000000 00")
    from thriftpy2.utils import deserialize

    summary = deserialize(T.ClusterSummary(), old_style, FACTORY)
    assert summary.nimbus_uptime_secs == 16 and summary.nimbuses is None


def word_count() -> TopologyDef:
    topo = TopologyDef()
    topo.components["spout"] = ComponentDef(
        "spout",
        "spout",
        streams={"default": StreamDef(["sentence"])},
        execution_command="python3",
        script="_petrel_launch_randomsentence.py",
        module="randomsentence",
    )
    topo.components["split"] = ComponentDef(
        "split",
        "bolt",
        streams={"default": StreamDef(["word"])},
        inputs={("spout", "default"): GroupingDef("shuffle")},
        parallelism=2,
        execution_command="python3",
        script="_petrel_launch_splitsentence.py",
        module="splitsentence",
    )
    return topo


def test_component_common_and_state_spouts_are_always_written() -> None:
    data = serialize_topology(word_count())
    # state_spouts (field 3) is an empty map of string -> struct.
    assert h("0D 0003 0B 0C 00000000") in data
    # inputs is map<GlobalStreamId(12), Grouping(12)> ... with the shuffle union.
    gsid = h('0B 0001 00000005 "spout" 0B 0002 00000007 "default" 00')
    assert h("0D 0001 0C 0C 00000001") + gsid + h("0C 0002 00 00") in data
    # The spout has no inputs: the required map is still written, empty.
    assert h("0D 0001 0C 0C 00000000") in data
    # A ShellComponent with both strings, inside ComponentObject field 2.
    assert h('0C 0002 0B 0001 00000007 "python3" 0B 0002') in data
    # storm_version (field 7) is never written.
    assert deserialize_topology(data).storm_version is None


def test_every_grouping_is_a_union_with_exactly_one_member() -> None:
    topo = word_count()
    kinds = [
        GroupingDef("fields", ["word"]),
        GroupingDef("global"),
        GroupingDef("shuffle"),
        GroupingDef("all"),
        GroupingDef("none"),
        GroupingDef("direct"),
        GroupingDef("local_or_shuffle"),
        GroupingDef("custom_serialized", serialized=b"\xac\xed"),
    ]
    for g in kinds:
        topo.components["split"].inputs = {("spout", "default"): g}
        grouping = next(iter(to_thrift(topo).bolts["split"].common.inputs.values()))
        members = [
            m for m in T.Grouping.thrift_spec.values() if getattr(grouping, m[1]) is not None
        ]
        assert len(members) == 1, g


def test_missing_required_field_is_refused_before_writing() -> None:
    st = T.StormTopology(spouts={}, bolts={}, state_spouts={})
    check_required(st)
    st.bolts["b"] = T.Bolt(
        bolt_object=T.ComponentObject(shell=T.ShellComponent("python3", "b.py")),
        common=T.ComponentCommon(inputs={}, streams={"default": T.StreamInfo(["x"])}),
    )
    with pytest.raises(PetrelError, match=r"bolts\['b'\]\.common\.streams\['default'\]\.direct"):
        check_required(st)


def test_garbage_bytes_give_a_clear_error() -> None:
    with pytest.raises(PetrelError, match="not a valid Thrift StormTopology"):
        deserialize_topology(b"\x0d\x00\x01\x0b\x0c\xff\xff\xff\xff")
