"""Describing a topology: the create.py builder, the model it fills, validation, Thrift.

- ``model``: ``TopologyDef`` and its parts (components, streams, groupings, Java objects).
- ``builder``: ``TopologyBuilder``, Storm's builder API for create.py; ``declarer``: what
  ``setSpout``/``setBolt`` return (groupings, configuration); ``describe``: what each
  component object declares; ``output_fields``: what ``declareOutputFields`` returns.
- ``java``: JVM objects and their typed constructor arguments.
- ``loader``: running create.py and reporting every problem at once.
- ``validate``: Nimbus's rules and petrel's own checks of a topology and its config.
- ``thrift``: Storm's Thrift IDL and the ``StormTopology`` encoder/decoder.
"""
