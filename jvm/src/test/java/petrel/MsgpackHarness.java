/*
 * Drives PetrelMsgpackSerializer over stdin/stdout for tests/jvm_msgpack (Python compares the
 * bytes with petrel's own codec). One mode per run, messages until stdin closes:
 *
 *   echo   each message is decoded and written back (readMessage, writeMessage)
 *   shell  each message is read as a ShellMsg; written back: a map of what Storm sees
 *   write  each message {"kind": "bolt"|"spout"|"taskids", ...} is written with the
 *          serializer's writeBoltMsg / writeSpoutMsg / writeTaskIds
 *   json   each message is a string of JSON text (as TopologyContext gives the handshake's
 *          context); written back: its value, parsed by the serializer
 *
 * An IOException prints "ERROR: <message>" on stderr and exits with status 3.
 */
package petrel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.multilang.BoltMsg;
import org.apache.storm.multilang.NoOutputException;
import org.apache.storm.multilang.ShellMsg;
import org.apache.storm.multilang.SpoutMsg;

public final class MsgpackHarness {
    private MsgpackHarness() {
    }

    public static void main(String[] args) throws Exception {
        PetrelMsgpackSerializer serializer = new PetrelMsgpackSerializer();
        serializer.initialize(System.out, System.in);
        String mode = args.length > 0 ? args[0] : "echo";
        try {
            while (true) {
                if ("shell".equals(mode)) {
                    serializer.writeMessage(describe(serializer.readShellMsg()));
                } else if ("json".equals(mode)) {
                    Object text = serializer.readMessage();
                    serializer.writeMessage(PetrelMsgpackSerializer.parseJson((String) text));
                } else if ("write".equals(mode)) {
                    write(serializer, (Map<?, ?>) serializer.readMessage());
                } else {
                    serializer.writeMessage(serializer.readMessage());
                }
            }
        } catch (NoOutputException end) {
            System.out.flush();
        } catch (IOException e) {
            System.out.flush();
            System.err.println("ERROR: " + e.getMessage());
            System.exit(3);
        }
    }

    private static Map<String, Object> describe(ShellMsg msg) {
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("command", msg.getCommand());
        seen.put("id", msg.getId());
        seen.put("anchors", msg.getAnchors());
        seen.put("stream", msg.getStream());
        seen.put("task", msg.getTask());
        seen.put("msg", msg.getMsg());
        seen.put("tuple", msg.getTuple());
        seen.put("need_task_ids", msg.areTaskIdsNeeded());
        seen.put("name", msg.getMetricName());
        seen.put("params", msg.getMetricParams());
        seen.put("level", msg.getLogLevel() == null ? null : msg.getLogLevel().name());
        return seen;
    }

    @SuppressWarnings("unchecked")
    private static void write(PetrelMsgpackSerializer serializer, Map<?, ?> what)
            throws IOException {
        Object kind = what.get("kind");
        if ("bolt".equals(kind)) {
            BoltMsg msg = new BoltMsg();
            msg.setId((String) what.get("id"));
            msg.setComp((String) what.get("comp"));
            msg.setStream((String) what.get("stream"));
            msg.setTask(((Number) what.get("task")).longValue());
            msg.setTuple((List<Object>) what.get("tuple"));
            serializer.writeBoltMsg(msg);
        } else if ("spout".equals(kind)) {
            SpoutMsg msg = new SpoutMsg();
            msg.setCommand((String) what.get("command"));
            msg.setId(what.get("id"));
            serializer.writeSpoutMsg(msg);
        } else {
            List<Integer> ids = new ArrayList<>();
            for (Object id : (List<Object>) what.get("ids")) {
                ids.add(((Number) id).intValue());
            }
            serializer.writeTaskIds(ids);
        }
    }
}
