package org.apache.storm;

import java.io.FileWriter;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.storm.generated.StormTopology;
import org.apache.storm.generated.SubmitOptions;

/** Test stub: records the submission to the file named by -Dpetrel.test.out. */
public class StormSubmitter {
    public static void submitTopology(String name, Map<String, Object> topoConf,
                                      StormTopology topology, SubmitOptions opts) throws IOException {
        try (FileWriter out = new FileWriter(System.getProperty("petrel.test.out"))) {
            out.write("name=" + name + "\n");
            out.write("status=" + opts.get_initial_status() + "\n");
            out.write("topology_bytes=" + topology.serializedLength + "\n");
            for (Map.Entry<String, Object> e : new TreeMap<String, Object>(topoConf).entrySet()) {
                Object v = e.getValue();
                out.write("conf." + e.getKey() + "=" + v + " (" + v.getClass().getSimpleName() + ")\n");
            }
        }
    }
}
