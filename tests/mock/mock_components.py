"""Small components the petrel.mock tests run (each shows one behaviour)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Dict, List

from petrel import storm
from petrel.emitter import BasicBolt, Bolt, Spout, Stream


class SplitBolt(BasicBolt):
    """Splits a sentence on spaces (the book's split bolt)."""

    def declareOutputFields(self) -> List[str]:
        return ["word"]

    def process(self, tup: Any) -> None:
        for word in tup.values[0].split(" "):
            storm.emit([word])


class CountBolt(BasicBolt):
    """Counts words, emits [word, count] (the book's count bolt)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Dict[str, int] = defaultdict(int)

    def declareOutputFields(self) -> List[str]:
        return ["word", "count"]

    def process(self, tup: Any) -> None:
        word = tup.values[0]
        self.counts[word] += 1
        storm.emit([word, self.counts[word]])


class RecordingBolt(BasicBolt):
    """Keeps every input tuple and what initialize received; emits nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: List[Any] = []
        self.initialized: List[Any] = []

    def declareOutputFields(self) -> List[str]:
        return []

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        self.initialized.append((conf, context))

    def process(self, tup: Any) -> None:
        self.inputs.append(tup)


class EchoBolt(BasicBolt):
    """Emits its input values unchanged."""

    def declareOutputFields(self) -> List[str]:
        return ["value"]

    def process(self, tup: Any) -> None:
        self.emit(tup.values)


class EmitBolt(BasicBolt):
    """Emits whatever ``tup.values[0]`` says: {'values': ..., 'stream': ...}."""

    def declareOutputFields(self) -> Dict[str, Any]:
        return {"default": ["a"], "pairs": ["a", "b"]}

    def process(self, tup: Any) -> None:
        spec = tup.values[0]
        storm.emit(spec["values"], stream=spec.get("stream"))


class UnsendableBolt(BasicBolt):
    """Emits a value JSON cannot carry."""

    def declareOutputFields(self) -> List[str]:
        return ["value"]

    def process(self, tup: Any) -> None:
        storm.emit([{1, 2, 3}])


class RaisingBolt(BasicBolt):
    """Raises on the word 'boom', echoes everything else."""

    def declareOutputFields(self) -> List[str]:
        return ["word"]

    def process(self, tup: Any) -> None:
        if tup.values[0] == "boom":
            raise ZeroDivisionError("boom is not a word")
        storm.emit(tup.values)


class ForgetfulBolt(Bolt):
    """A manual-ack Bolt that acks only words starting with 'a' and fails 'x...'."""

    def declareOutputFields(self) -> List[str]:
        return ["word"]

    def process(self, tup: Any) -> None:
        word = tup.values[0]
        if word.startswith("a"):
            storm.emit([word], anchors=[tup])
            storm.ack(tup)
        elif word.startswith("x"):
            storm.fail(tup)


class ChattyBolt(BasicBolt):
    """Logs, reports an error, prints, and emits twice with emitMany."""

    def declareOutputFields(self) -> List[str]:
        return ["word"]

    def process(self, tup: Any) -> None:
        storm.log(f"got {tup.values[0]}")
        self.log("warned", "warn")
        storm.reportError(f"odd word {tup.values[0]}")
        print("this print must not reach the protocol")
        storm.emitMany([[tup.values[0]], [tup.values[0].upper()]])


class EndlessSpout(Spout):
    """Emits an increasing number on every nextTuple, forever."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0
        self.acked: List[Any] = []

    def declareOutputFields(self) -> List[str]:
        return ["n"]

    def nextTuple(self) -> None:
        self.n += 1
        storm.emit([self.n], id=self.n)

    def ack(self, id: Any) -> None:
        self.acked.append(id)


class ReplayingSpout(Spout):
    """Emits each word once and replays failed ones (at most ``replays`` times in all)."""

    def __init__(self, words: List[str], replays: int = 3) -> None:
        super().__init__()
        self.todo = list(enumerate(words))
        self.words = dict(self.todo)
        self.replays = replays
        self.acked: List[Any] = []
        self.failed: List[Any] = []
        self.activated = 0
        self.deactivated = 0

    def declareOutputFields(self) -> List[str]:
        return ["word"]

    def activate(self) -> None:
        self.activated += 1

    def deactivate(self) -> None:
        self.deactivated += 1

    def nextTuple(self) -> None:
        if self.todo:
            msg_id, word = self.todo.pop(0)
            storm.emit([word], id=msg_id)

    def ack(self, id: Any) -> None:
        self.acked.append(id)

    def fail(self, id: Any) -> None:
        self.failed.append(id)
        if self.replays > 0:
            self.replays -= 1
            self.todo.append((id, "a-" + self.words[id]))


class TickCounterBolt(BasicBolt):
    """Counts words; on each tick emits [word, count] for every word, then forgets them."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Dict[str, int] = defaultdict(int)
        self.ticks = 0

    def declareOutputFields(self) -> List[str]:
        return ["word", "count"]

    def getComponentConfiguration(self) -> Dict[str, Any]:
        return {"topology.tick.tuple.freq.secs": 60}

    def process(self, tup: Any) -> None:
        if tup.is_tick_tuple():
            self.ticks += 1
            for word, count in sorted(self.counts.items()):
                storm.emit([word, count])
            self.counts.clear()
        else:
            self.counts[tup.word] += 1


class ParityBolt(BasicBolt):
    """Sends even numbers on stream 'even' and odd ones on stream 'odd'."""

    def declareOutputFields(self) -> Dict[str, List[str]]:
        return {"even": ["n"], "odd": ["n"]}

    def process(self, tup: Any) -> None:
        n = tup.values[0]
        storm.emit([n], stream="even" if n % 2 == 0 else "odd")


class DirectRouterBolt(BasicBolt):
    """Emits each number directly to the consumer task ``n % tasks``, on a direct stream."""

    def declareOutputFields(self) -> Dict[str, Any]:
        return {"routed": Stream(["n"], direct=True)}

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        self.targets = sorted(int(t) for t, c in context["task->component"].items()
                              if c == conf["router.target"])

    def process(self, tup: Any) -> None:
        n = tup.values[0]
        if n == -1:
            storm.emitDirect(999, [n], stream="routed")
            return
        storm.emitDirect(self.targets[n % len(self.targets)], [n], stream="routed")


class TaskIdsBolt(BasicBolt):
    """Emits with need_task_ids=True and keeps the answers."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: List[Any] = []

    def declareOutputFields(self) -> List[str]:
        return ["word"]

    def process(self, tup: Any) -> None:
        self.answers.append(storm.emit(tup.values, need_task_ids=True))


class PairingBolt(Bolt):
    """Holds inputs two by two and emits one tuple anchored to both, then acks both."""

    def __init__(self) -> None:
        super().__init__()
        self.held: List[Any] = []

    def declareOutputFields(self) -> List[str]:
        return ["pair"]

    def process(self, tup: Any) -> None:
        self.held.append(tup)
        if len(self.held) == 2:
            first, second = self.held
            storm.emit([first.values[0] + "+" + second.values[0]], anchors=self.held)
            for held in self.held:
                storm.ack(held)
            self.held = []


class QueueSpout(Spout):
    """Emits what a thread puts on its queue: ``feed`` items, ``delay_s`` apart, from activate."""

    def __init__(self, feed: int, delay_s: float = 0.02) -> None:
        super().__init__()
        self.feed = feed
        self.delay_s = delay_s
        self.acked: List[Any] = []
        self.calls = 0

    def declareOutputFields(self) -> List[str]:
        return ["n"]

    def activate(self) -> None:
        import queue
        import threading

        self.queue: Any = queue.Queue()
        self.thread = threading.Thread(target=self._fill, daemon=True)
        self.thread.start()

    def _fill(self) -> None:
        import time

        for n in range(self.feed):
            time.sleep(self.delay_s)
            self.queue.put(n)

    def nextTuple(self) -> None:
        import queue

        self.calls += 1
        try:
            n = self.queue.get_nowait()
        except queue.Empty:
            return
        storm.emit([n], id=n)

    def ack(self, id: Any) -> None:
        self.acked.append(id)


class FailingInitBolt(BasicBolt):
    """Its initialize raises."""

    def declareOutputFields(self) -> List[str]:
        return ["word"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        raise ConnectionError("no database here")
