"""The XOR acker: tree completion, fails, and message-timeout rotation."""

from petrel.semantics.acker import Acker


def test_hand_checked_tree():
    a = Acker()
    e1, e2, e3 = 0x1111, 0x2222, 0x4444
    assert a.init(7, e1 ^ e2, "spout", "m1", 0.0) is None
    assert a.xor(7, e1 ^ e3) is None      # bolt A acks, having emitted a child on e3
    assert a.xor(7, e2) is None           # bolt B acks
    tree = a.xor(7, e3)                   # the child's bolt acks
    assert tree is not None and tree.msg_id == "m1"
    assert a.xor(7, 5) is None and len(a) == 0  # later acks are ignored


def test_zero_destinations_completes_at_once():
    a = Acker()
    assert a.init(1, 0, "s", "m", 0.0).msg_id == "m"


def test_fail_once():
    a = Acker()
    a.init(3, 9, "s", "m", 0.0)
    assert a.fail(3).msg_id == "m"
    assert a.fail(3) is None and a.xor(3, 9) is None


def test_timeout_between_t_and_2t():
    a = Acker()
    a.init(1, 5, "s", "early", 0.0)   # emitted during period 0
    assert a.rotate() == []           # end of period 0: only T has passed at most
    a.init(2, 5, "s", "late", 0.0)    # emitted during period 1
    assert [t.msg_id for t in a.rotate()] == ["early"]
    assert [t.msg_id for t in a.rotate()] == ["late"]
