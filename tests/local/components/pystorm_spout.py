"""A reliable pystorm spout: emits sentences with ids, records acks per id."""

import time

import pystorm


class SentenceSpout(pystorm.Spout):
    def initialize(self, conf, context):
        self.todo = list(range(conf.get("test.count", 50)))[::-1]
        self.log_file = open(f"{conf['test.record']}.{context['taskid']}", "a")

    def next_tuple(self):
        if self.todo:
            i = self.todo.pop()
            self.emit(["the quick brown fox"], tup_id=i)
        else:
            time.sleep(0.001)

    def ack(self, tup_id):
        self.log_file.write(f"ack {tup_id}\n")
        self.log_file.flush()

    def fail(self, tup_id):
        self.log_file.write(f"fail {tup_id}\n")
        self.log_file.flush()
        self.todo.append(tup_id)


if __name__ == "__main__":
    SentenceSpout().run()
