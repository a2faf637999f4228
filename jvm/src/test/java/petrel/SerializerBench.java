/*
 * The Java side's cost per tuple with Storm's JsonSerializer and with PetrelMsgpackSerializer:
 * a ShellBolt writes one BoltMsg per tuple and reads the bolt's emit and ack. Streams are in
 * memory, so this measures the serializers alone (no pipes, no Python).
 *
 *   java -cp <classes>:<storm>/lib/* petrel.SerializerBench [tuples] [value bytes]
 *
 * Prints one line per serializer: nanoseconds per tuple (best of 5 rounds) and the ratio.
 */
package petrel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.multilang.BoltMsg;
import org.apache.storm.multilang.ISerializer;
import org.apache.storm.multilang.JsonSerializer;

public final class SerializerBench {
    private SerializerBench() {
    }

    private static final OutputStream DISCARD = new OutputStream() {
        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    };

    public static void main(String[] args) throws Exception {
        int tuples = args.length > 0 ? Integer.parseInt(args[0]) : 200000;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 28;
        char[] fill = new char[size];
        Arrays.fill(fill, 'x');
        String value = new String(fill);
        String id = "-6955786537413359385";
        BoltMsg msg = new BoltMsg();
        msg.setId(id);
        msg.setComp("spout");
        msg.setStream("default");
        msg.setTask(9);
        msg.setTuple(new ArrayList<Object>(Arrays.asList(value)));

        // What the bolt sends back per tuple: one emit anchored to the input, one ack.
        String emit = "{\"command\":\"emit\",\"anchors\":[\"" + id + "\"],\"tuple\":[\"" + value
            + "\"],\"need_task_ids\":false}\nend\n";
        String ack = "{\"command\":\"ack\",\"id\":\"" + id + "\"}\nend\n";
        byte[] jsonIn = repeat((emit + ack).getBytes(StandardCharsets.UTF_8), tuples);
        PetrelMsgpackSerializer packer = new PetrelMsgpackSerializer();
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        packer.initialize(one, new ByteArrayInputStream(new byte[0]));
        Map<String, Object> emitMap = new LinkedHashMap<>();
        emitMap.put("command", "emit");
        emitMap.put("anchors", Arrays.asList(id));
        emitMap.put("tuple", Arrays.asList(value));
        emitMap.put("need_task_ids", false);
        packer.writeMessage(emitMap);
        Map<String, Object> ackMap = new LinkedHashMap<>();
        ackMap.put("command", "ack");
        ackMap.put("id", id);
        packer.writeMessage(ackMap);
        byte[] msgpackIn = repeat(one.toByteArray(), tuples);

        double json = best(new JsonSerializer(), jsonIn, msg, tuples);
        double msgpack = best(new PetrelMsgpackSerializer(), msgpackIn, msg, tuples);
        System.out.printf("value %d bytes: json %.0f ns/tuple, msgpack %.0f ns/tuple, "
            + "json/msgpack %.2f%n", size, json, msgpack, json / msgpack);
    }

    private static byte[] repeat(byte[] unit, int times) {
        byte[] all = new byte[unit.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(unit, 0, all, i * unit.length, unit.length);
        }
        return all;
    }

    private static double best(ISerializer serializer, byte[] input, BoltMsg msg, int tuples)
            throws Exception {
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            serializer.initialize(DISCARD, new ByteArrayInputStream(input));
            List<Object> sink = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < tuples; i++) {
                serializer.writeBoltMsg(msg);
                sink.add(serializer.readShellMsg().getCommand());
                sink.add(serializer.readShellMsg().getCommand());
                if (sink.size() > 1000) {
                    sink.clear();
                }
            }
            best = Math.min(best, (System.nanoTime() - start) / (double) tuples);
        }
        return best;
    }
}
