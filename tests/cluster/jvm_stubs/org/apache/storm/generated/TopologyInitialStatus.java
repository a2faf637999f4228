package org.apache.storm.generated;

/** Test stub of the Thrift enum. */
public enum TopologyInitialStatus { ACTIVE, INACTIVE }
