package org.apache.storm.generated;

/** Test stub: remembers how many bytes it was decoded from. */
public class StormTopology {
    public int serializedLength;
}
