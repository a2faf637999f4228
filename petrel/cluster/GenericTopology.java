/*
 * petrel's submitter for the `storm` command line.
 *
 * Most petrel users never need this: `petrel submit NAME` talks to Nimbus itself. It exists
 * for clusters petrel's own client cannot reach (Kerberos, digest or TLS transports) and for
 * Storm's own local mode:
 *
 *   storm jar   topology.jar petrel.GenericTopology NAME [--inactive]
 *   storm local topology.jar petrel.GenericTopology NAME        (Storm 2.x)
 *
 * It reads the two files petrel's jar builder writes, resources/topology.ser (the Thrift
 * StormTopology, binary protocol) and resources/__topology__.yaml (the topology config), and
 * hands them to StormSubmitter, which `storm local` redirects to an in-process LocalCluster.
 * It compiles against storm-client (2.x) or storm-core (1.2.x) and targets Java 8.
 *
 * The file ships inside the Python package (petrel/cluster/), so an installed petrel can
 * compile it; jvm/src/main/java/petrel/GenericTopology.java links here for Maven.
 */
package petrel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.apache.storm.StormSubmitter;
import org.apache.storm.generated.StormTopology;
import org.apache.storm.generated.SubmitOptions;
import org.apache.storm.generated.TopologyInitialStatus;
import org.apache.storm.shade.org.yaml.snakeyaml.Yaml;
import org.apache.storm.shade.org.yaml.snakeyaml.constructor.SafeConstructor;
import org.apache.storm.utils.Utils;

public final class GenericTopology {
    static final String TOPOLOGY_SER = "resources/topology.ser";
    static final String TOPOLOGY_YAML = "resources/__topology__.yaml";
    private static final String SNAKEYAML = "org.apache.storm.shade.org.yaml.snakeyaml";
    private static final String USAGE =
        "usage: storm jar|local TOPOLOGY.jar petrel.GenericTopology NAME [--inactive]";

    private GenericTopology() {
    }

    public static void main(String[] args) throws Exception {
        String name = null;
        boolean inactive = false;
        for (String arg : args) {
            if ("--inactive".equals(arg)) {
                inactive = true;
            } else if (arg.startsWith("-") || name != null) {
                fail("unexpected argument '" + arg + "'\n" + USAGE);
            } else {
                name = arg;
            }
        }
        if (name == null) {
            fail("the topology name is missing\n" + USAGE);
        }
        StormTopology topology = readTopology();
        Map<String, Object> conf = readConf();
        SubmitOptions options = new SubmitOptions(
            inactive ? TopologyInitialStatus.INACTIVE : TopologyInitialStatus.ACTIVE);
        StormSubmitter.submitTopology(name, conf, topology, options);
    }

    /** The StormTopology petrel serialised into the jar. */
    static StormTopology readTopology() throws IOException {
        byte[] bytes = readResource(TOPOLOGY_SER);
        return (StormTopology) Utils.thriftDeserialize(StormTopology.class, bytes);
    }

    /** The topology config, parsed with SnakeYAML's SafeConstructor (no arbitrary objects). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> readConf() throws IOException {
        byte[] bytes = readResource(TOPOLOGY_YAML);
        Object loaded;
        try (Reader reader = new InputStreamReader(
                new java.io.ByteArrayInputStream(bytes), StandardCharsets.UTF_8)) {
            loaded = safeYaml().load(reader);
        }
        Map<String, Object> conf = new HashMap<String, Object>();
        if (loaded instanceof Map) {
            conf.putAll((Map<String, Object>) loaded);
        } else if (loaded != null) {
            fail(TOPOLOGY_YAML + " is not a mapping of config keys; rebuild the jar with petrel");
        }
        return conf;
    }

    /** A safe SnakeYAML loader; SnakeYAML 2.x (Storm >= 2.6) wants LoaderOptions, 1.x does not. */
    static Yaml safeYaml() {
        try {
            Class<?> options = Class.forName(SNAKEYAML + ".LoaderOptions");
            Constructor<SafeConstructor> withOptions = SafeConstructor.class.getConstructor(options);
            return new Yaml(withOptions.newInstance(options.getConstructor().newInstance()));
        } catch (ReflectiveOperationException notSnakeYaml2) {
            try {
                return new Yaml(SafeConstructor.class.getConstructor().newInstance());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create SnakeYAML's SafeConstructor", e);
            }
        }
    }

    static byte[] readResource(String name) throws IOException {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = GenericTopology.class.getClassLoader();
        }
        InputStream in = loader.getResourceAsStream(name);
        if (in == null) {
            fail(name + " is not in the jar; build the jar with 'petrel build' and pass it to "
                 + "'storm jar' (or use 'petrel submit --via-storm-cli')");
        }
        try (InputStream stream = in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            int n;
            while ((n = stream.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static void fail(String message) {
        System.err.println("petrel.GenericTopology: error: " + message);
        System.exit(2);
    }
}
