"""A pystorm bolt splitting sentences (auto anchor, auto ack), asking for task ids."""

import pystorm


class SplitBolt(pystorm.Bolt):
    def process(self, tup):
        for word in tup.values[0].split():
            ids = self.emit([word], need_task_ids=True)
            assert isinstance(ids, list) and len(ids) == 1, ids


if __name__ == "__main__":
    SplitBolt().run()
