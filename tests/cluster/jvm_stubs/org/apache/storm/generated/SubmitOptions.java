package org.apache.storm.generated;

/** Test stub of the Thrift struct. */
public class SubmitOptions {
    private final TopologyInitialStatus status;

    public SubmitOptions(TopologyInitialStatus status) {
        this.status = status;
    }

    public TopologyInitialStatus get_initial_status() {
        return status;
    }
}
