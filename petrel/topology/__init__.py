"""Describing a topology: the create.py builder, the model it fills, Nimbus-style validation,
and the Thrift IDL plus encoder/decoder for Storm's ``StormTopology``."""
