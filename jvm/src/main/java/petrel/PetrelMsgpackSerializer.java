/*
 * Storm's multilang protocol in MessagePack instead of JSON, for topology.multilang.serializer.
 *
 * Each message is one MessagePack value, written back to back with nothing between them (no
 * "end" lines): the framing pystorm's msgpack serializer uses. The values are the multilang
 * ones: maps, lists, strings, integers, floats, booleans, nil and binary (byte[]). Integers
 * are always read as Long (JSON parsers hand back Integer or Long depending on the value).
 *
 * No dependency beyond Storm's multilang interfaces, compiled for Java 8 (javac --release 8):
 * one class file serves Storm 1.x (org.apache.storm since 1.0) and 2.x. connect() takes a raw
 * Map so that it overrides both connect(Map, ...) of 1.x and connect(Map<String, Object>, ...)
 * of 2.x.
 */
package petrel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.multilang.BoltMsg;
import org.apache.storm.multilang.ISerializer;
import org.apache.storm.multilang.NoOutputException;
import org.apache.storm.multilang.ShellMsg;
import org.apache.storm.multilang.SpoutMsg;
import org.apache.storm.task.TopologyContext;

// The write methods are synchronized, as JSON's BufferedWriter is: Storm writes from one
// thread per process today, but the output buffer must never be shared by two.
public class PetrelMsgpackSerializer implements ISerializer {
    private static final long serialVersionUID = 6062318474390812305L;
    private static final int MAX_DEPTH = 512;
    private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private transient OutputStream processIn;
    private transient InputStream processOut;
    private transient byte[] out;
    private transient int outLength;
    // Input: buf[start, limit) holds the message being decoded (from start) and bytes read
    // ahead; pos is the next byte to decode. Keeping the whole message lets errors show it.
    private transient byte[] buf;
    private transient int start;
    private transient int pos;
    private transient int limit;
    private transient String who = "the shell component";

    @Override
    public void initialize(OutputStream processIn, InputStream processOut) {
        this.processIn = processIn;
        this.processOut = processOut;
        this.out = new byte[8192];
        this.buf = new byte[65536];
        this.start = 0;
        this.pos = 0;
        this.limit = 0;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Number connect(Map conf, TopologyContext context) throws IOException, NoOutputException {
        who = "component '" + context.getThisComponentId() + "' (task " + context.getThisTaskId()
            + ")";
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("pidDir", context.getPIDDir());
        setup.put("conf", conf);
        setup.put("context", parseJson(context.toJSONString()));
        writeMessage(setup);
        Map<Object, Object> reply = readMap("the handshake reply");
        Object pid = reply.get("pid");
        if (!(pid instanceof Number)) {
            throw new IOException(who + " answered the handshake without a numeric pid: " + reply);
        }
        return (Number) pid;
    }

    @Override
    public ShellMsg readShellMsg() throws IOException, NoOutputException {
        Map<Object, Object> msg = readMap("a message");
        ShellMsg shellMsg = new ShellMsg();
        Object command = msg.get("command");
        if (!(command instanceof String)) {
            throw new IOException(who + " sent a message without a string 'command': " + msg);
        }
        shellMsg.setCommand((String) command);
        shellMsg.setId(msg.get("id"));
        Object log = msg.get("msg");
        shellMsg.setMsg(log == null ? null : log.toString());
        Object stream = msg.get("stream");
        shellMsg.setStream(stream == null ? "default" : stream.toString());
        Object task = msg.get("task");
        shellMsg.setTask(task instanceof Number ? ((Number) task).longValue() : 0);
        Object needTaskIds = msg.get("need_task_ids");
        shellMsg.setNeedTaskIds(!Boolean.FALSE.equals(needTaskIds));
        Object tuple = msg.get("tuple");
        if (tuple instanceof List) {
            @SuppressWarnings("unchecked")
            List<Object> values = (List<Object>) tuple;
            shellMsg.setTuple(values);
        }
        Object anchors = msg.get("anchors");
        if (anchors instanceof List) {
            for (Object anchor : (List<?>) anchors) {
                shellMsg.addAnchor(String.valueOf(anchor));
            }
        } else if (anchors != null) {
            shellMsg.addAnchor(anchors.toString());
        }
        Object name = msg.get("name");
        shellMsg.setMetricName(name instanceof String ? (String) name : null);
        shellMsg.setMetricParams(msg.get("params"));
        Object level = msg.get("level");
        if ("log".equals(command) && level instanceof Number) {
            shellMsg.setLogLevel(((Number) level).intValue());
        }
        return shellMsg;
    }

    @Override
    public synchronized void writeBoltMsg(BoltMsg msg) throws IOException {
        writeMapHeader(5);
        writeString("id");
        writeValue(msg.getId(), 0);
        writeString("comp");
        writeValue(msg.getComp(), 0);
        writeString("stream");
        writeValue(msg.getStream(), 0);
        writeString("task");
        writeLong(msg.getTask());
        writeString("tuple");
        writeValue(msg.getTuple(), 0);
        flush();
    }

    @Override
    public synchronized void writeSpoutMsg(SpoutMsg msg) throws IOException {
        writeMapHeader(2);
        writeString("command");
        writeValue(msg.getCommand(), 0);
        writeString("id");
        writeValue(msg.getId(), 0);
        flush();
    }

    @Override
    public synchronized void writeTaskIds(List<Integer> taskIds) throws IOException {
        writeMessage(taskIds);
    }

    /** Encodes one value as a whole message and writes it (public for the test harness). */
    public synchronized void writeMessage(Object value) throws IOException {
        writeValue(value, 0);
        flush();
    }

    /** Decodes the next whole message (public for the test harness). */
    public Object readMessage() throws IOException, NoOutputException {
        compact();
        if (!ensure(1, false)) {
            throw new NoOutputException("Pipe to subprocess seems to be broken! No output read"
                + " from " + who + " (MessagePack serializer).");
        }
        return readValue(0);
    }

    // ---- writing ----

    private void flush() throws IOException {
        processIn.write(out, 0, outLength);
        processIn.flush();
        outLength = 0;
    }

    private void room(int n) {
        if (outLength + n > out.length) {
            byte[] bigger = new byte[Math.max(out.length * 2, outLength + n)];
            System.arraycopy(out, 0, bigger, 0, outLength);
            out = bigger;
        }
    }

    private void put(int b) {
        room(1);
        out[outLength++] = (byte) b;
    }

    private void putBig(long v, int bytes) {
        room(bytes);
        for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
            out[outLength++] = (byte) (v >>> shift);
        }
    }

    private void writeHeader(int size, int fix, int fixLimit, int code16) {
        if (size < fixLimit) {
            put(fix | size);
        } else if (size < 0x10000) {
            put(code16);
            putBig(size, 2);
        } else {
            put(code16 + 1);
            putBig(size, 4);
        }
    }

    private void writeMapHeader(int size) {
        writeHeader(size, 0x80, 16, 0xde);
    }

    private void writeLong(long v) {
        if (v >= 0) {
            if (v < 0x80) {
                put((int) v);
            } else if (v < 0x100) {
                put(0xcc);
                putBig(v, 1);
            } else if (v < 0x10000) {
                put(0xcd);
                putBig(v, 2);
            } else if (v < 0x100000000L) {
                put(0xce);
                putBig(v, 4);
            } else {
                put(0xcf);
                putBig(v, 8);
            }
        } else if (v >= -32) {
            put((int) v & 0xff);
        } else if (v >= -0x80) {
            put(0xd0);
            putBig(v, 1);
        } else if (v >= -0x8000) {
            put(0xd1);
            putBig(v, 2);
        } else if (v >= -0x80000000L) {
            put(0xd2);
            putBig(v, 4);
        } else {
            put(0xd3);
            putBig(v, 8);
        }
    }

    private void writeString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        if (n < 32) {
            put(0xa0 | n);
        } else if (n < 0x100) {
            put(0xd9);
            putBig(n, 1);
        } else {
            writeHeader(n, 0, 0, 0xda);
        }
        room(n);
        System.arraycopy(bytes, 0, out, outLength, n);
        outLength += n;
    }

    private void writeBinary(byte[] bytes) {
        int n = bytes.length;
        if (n < 0x100) {
            put(0xc4);
            putBig(n, 1);
        } else if (n < 0x10000) {
            put(0xc5);
            putBig(n, 2);
        } else {
            put(0xc6);
            putBig(n, 4);
        }
        room(n);
        System.arraycopy(bytes, 0, out, outLength, n);
        outLength += n;
    }

    private void writeValue(Object v, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            outLength = 0;
            throw new IOException("a value for " + who + " is nested more than " + MAX_DEPTH
                + " levels deep (a list or map that contains itself?)");
        }
        if (v == null) {
            put(0xc0);
        } else if (v instanceof String) {
            writeString((String) v);
        } else if (v instanceof Boolean) {
            put(((Boolean) v) ? 0xc3 : 0xc2);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short
                   || v instanceof Byte) {
            writeLong(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            put(0xcb);
            putBig(Double.doubleToLongBits(((Number) v).doubleValue()), 8);
        } else if (v instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) v;
            writeMapHeader(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                writeValue(e.getKey(), depth + 1);
                writeValue(e.getValue(), depth + 1);
            }
        } else if (v instanceof Collection) {
            Collection<?> items = (Collection<?>) v;
            writeHeader(items.size(), 0x90, 16, 0xdc);
            for (Object item : items) {
                writeValue(item, depth + 1);
            }
        } else if (v instanceof byte[]) {
            writeBinary((byte[]) v);
        } else if (v instanceof Object[]) {
            Object[] items = (Object[]) v;
            writeHeader(items.length, 0x90, 16, 0xdc);
            for (Object item : items) {
                writeValue(item, depth + 1);
            }
        } else if (v instanceof BigInteger) {
            BigInteger big = (BigInteger) v;
            if (big.bitLength() < 64) {
                writeLong(big.longValue());
            } else if (big.signum() > 0 && big.compareTo(UINT64_LIMIT) < 0) {
                put(0xcf);
                putBig(big.longValue(), 8);
            } else {
                outLength = 0;
                throw new IOException("integer " + big + " for " + who
                    + " does not fit MessagePack's 64 bits");
            }
        } else if (v instanceof Number) {
            Number n = (Number) v;
            if (n.doubleValue() == n.longValue()) {
                writeLong(n.longValue());
            } else {
                put(0xcb);
                putBig(Double.doubleToLongBits(n.doubleValue()), 8);
            }
        } else {
            // Characters, enums and other objects (e.g. in the topology conf): their text.
            writeString(v.toString());
        }
    }

    // ---- reading ----

    /** Drops the bytes of messages already decoded, keeping those read ahead. */
    private void compact() {
        start = pos;
    }

    /** Makes n bytes available from pos; false (or an error) if the pipe closes first. */
    private boolean ensure(int n, boolean inMessage) throws IOException {
        if (limit - pos >= n) {
            return true;
        }
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, limit - start);
            pos -= start;
            limit -= start;
            start = 0;
        }
        if (pos + n > buf.length) {
            byte[] bigger = new byte[Math.max(buf.length * 2, pos + n)];
            System.arraycopy(buf, 0, bigger, 0, limit);
            buf = bigger;
        }
        while (limit - pos < n) {
            int got = processOut.read(buf, limit, buf.length - limit);
            if (got < 0) {
                if (!inMessage && limit == pos) {
                    return false;
                }
                throw new IOException(who + " closed its stdout in the middle of a MessagePack"
                    + " message (truncated after " + (limit - start) + " bytes: "
                    + describe(start, limit) + ")");
            }
            limit += got;
        }
        return true;
    }

    private int next() throws IOException {
        ensure(1, true);
        return buf[pos++] & 0xff;
    }

    private long big(int bytes) throws IOException {
        ensure(bytes, true);
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = (v << 8) | (buf[pos++] & 0xff);
        }
        return v;
    }

    private Map<Object, Object> readMap(String what) throws IOException, NoOutputException {
        compact();
        if (!ensure(1, false)) {
            throw new NoOutputException("Pipe to subprocess seems to be broken! No output read"
                + " from " + who + " while waiting for " + what + " (MessagePack serializer).");
        }
        int first = buf[pos] & 0xff;
        if (first == '{') {
            throw new IOException(who + " answered in JSON where " + what + " in MessagePack"
                + " should start: it does not speak MessagePack (set the topology's"
                + " petrel.serializer back to json, or make every shell component speak"
                + " MessagePack); read: " + describe(pos, limit));
        }
        if (!((first >= 0x80 && first <= 0x8f) || first == 0xde || first == 0xdf)) {
            // Show what is there already (without waiting for more): typically a print().
            throw new IOException(who + " wrote something that is not a MessagePack multilang"
                + " message where " + what + " should start (did it print to stdout?); read: "
                + describe(pos, limit));
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> map = (Map<Object, Object>) readValue(0);
        return map;
    }

    private Object readValue(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " levels deep");
        }
        int b = next();
        if (b <= 0x7f) {
            return (long) b;
        } else if (b >= 0xe0) {
            return (long) (byte) b;
        } else if (b <= 0x8f) {
            return readMapBody(b & 0x0f, depth);
        } else if (b <= 0x9f) {
            return readArrayBody(b & 0x0f, depth);
        } else if (b <= 0xbf) {
            return readString(b & 0x1f);
        }
        switch (b) {
            case 0xc0: return null;
            case 0xc2: return Boolean.FALSE;
            case 0xc3: return Boolean.TRUE;
            case 0xc4: return readBytes((int) big(1));
            case 0xc5: return readBytes((int) big(2));
            case 0xc6: return readBytes(length(big(4)));
            case 0xca: return (double) Float.intBitsToFloat((int) big(4));
            case 0xcb: return Double.longBitsToDouble(big(8));
            case 0xcc: return big(1);
            case 0xcd: return big(2);
            case 0xce: return big(4);
            case 0xcf: {
                long v = big(8);
                return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
            }
            case 0xd0: return (long) (byte) big(1);
            case 0xd1: return (long) (short) big(2);
            case 0xd2: return (long) (int) big(4);
            case 0xd3: return big(8);
            case 0xd9: return readString((int) big(1));
            case 0xda: return readString((int) big(2));
            case 0xdb: return readString(length(big(4)));
            case 0xdc: return readArrayBody((int) big(2), depth);
            case 0xdd: return readArrayBody(length(big(4)), depth);
            case 0xde: return readMapBody((int) big(2), depth);
            case 0xdf: return readMapBody(length(big(4)), depth);
            default:
                pos--;
                throw error(String.format("byte 0x%02x is %s", b, b == 0xc1
                    ? "never used in MessagePack" : "a MessagePack extension type, which the"
                    + " multilang protocol does not use"));
        }
    }

    private int length(long n) throws IOException {
        if (n > Integer.MAX_VALUE - 16) {
            throw error("a length of " + n + " bytes is more than a Java array holds");
        }
        return (int) n;
    }

    private IOException error(String why) {
        return new IOException(who + " sent invalid MessagePack (" + why + " at offset "
            + (pos - start) + " of the message); read: " + describe(start, Math.min(limit, pos + 1)));
    }

    private String readString(int n) throws IOException {
        ensure(n, true);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    private byte[] readBytes(int n) throws IOException {
        ensure(n, true);
        byte[] bytes = new byte[n];
        System.arraycopy(buf, pos, bytes, 0, n);
        pos += n;
        return bytes;
    }

    private List<Object> readArrayBody(int n, int depth) throws IOException {
        List<Object> list = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            list.add(readValue(depth + 1));
        }
        return list;
    }

    private Map<Object, Object> readMapBody(int n, int depth) throws IOException {
        Map<Object, Object> map = new LinkedHashMap<>(Math.min(n, 1024) * 2);
        for (int i = 0; i < n; i++) {
            Object key = readValue(depth + 1);
            map.put(key, readValue(depth + 1));
        }
        return map;
    }

    /** Up to 80 bytes of buf[from, to) as text (non-printable bytes as \xNN), then in hex. */
    private String describe(int from, int to) {
        int end = Math.min(to, from + 80);
        StringBuilder text = new StringBuilder("'");
        StringBuilder hex = new StringBuilder();
        for (int i = from; i < end; i++) {
            int b = buf[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\\' && b != '\'') {
                text.append((char) b);
            } else {
                text.append(String.format("\\x%02x", b));
            }
            hex.append(hex.length() == 0 ? "" : " ").append(String.format("%02x", b));
        }
        text.append(end < to ? "'..." : "'");
        return text + " (bytes " + hex + (end < to ? " ..." : "") + ")";
    }

    // ---- the topology context, which Storm gives only as JSON text ----

    /** The value of JSON text as maps, lists, strings, Long, Double... (package: for tests). */
    static Object parseJson(String json) throws IOException {
        int[] at = {0};
        Object value = parseJsonValue(json, at);
        skipSpace(json, at);
        if (at[0] != json.length()) {
            throw new IOException("unexpected text after the topology context's JSON at " + at[0]);
        }
        return value;
    }

    private static void skipSpace(String s, int[] at) {
        while (at[0] < s.length() && Character.isWhitespace(s.charAt(at[0]))) {
            at[0]++;
        }
    }

    private static Object parseJsonValue(String s, int[] at) throws IOException {
        skipSpace(s, at);
        if (at[0] >= s.length()) {
            throw new IOException("the topology context's JSON ends early");
        }
        char c = s.charAt(at[0]);
        if (c == '{') {
            Map<String, Object> map = new LinkedHashMap<>();
            at[0]++;
            skipSpace(s, at);
            if (s.charAt(at[0]) == '}') {
                at[0]++;
                return map;
            }
            while (true) {
                skipSpace(s, at);
                String key = parseJsonString(s, at);
                skipSpace(s, at);
                expect(s, at, ':');
                map.put(key, parseJsonValue(s, at));
                skipSpace(s, at);
                if (s.charAt(at[0]++) == '}') {
                    return map;
                }
            }
        } else if (c == '[') {
            List<Object> list = new ArrayList<>();
            at[0]++;
            skipSpace(s, at);
            if (s.charAt(at[0]) == ']') {
                at[0]++;
                return list;
            }
            while (true) {
                list.add(parseJsonValue(s, at));
                skipSpace(s, at);
                if (s.charAt(at[0]++) == ']') {
                    return list;
                }
            }
        } else if (c == '"') {
            return parseJsonString(s, at);
        } else if (s.startsWith("true", at[0])) {
            at[0] += 4;
            return Boolean.TRUE;
        } else if (s.startsWith("false", at[0])) {
            at[0] += 5;
            return Boolean.FALSE;
        } else if (s.startsWith("null", at[0])) {
            at[0] += 4;
            return null;
        }
        int from = at[0];
        while (at[0] < s.length() && "+-0123456789.eE".indexOf(s.charAt(at[0])) >= 0) {
            at[0]++;
        }
        String number = s.substring(from, at[0]);
        try {
            if (number.matches("-?\\d+")) {
                return Long.parseLong(number);
            }
            return Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IOException("unexpected text in the topology context's JSON at " + from);
        }
    }

    private static void expect(String s, int[] at, char c) throws IOException {
        if (at[0] >= s.length() || s.charAt(at[0]) != c) {
            throw new IOException("expected '" + c + "' in the topology context's JSON at "
                + at[0]);
        }
        at[0]++;
    }

    private static String parseJsonString(String s, int[] at) throws IOException {
        expect(s, at, '"');
        StringBuilder sb = new StringBuilder();
        while (at[0] < s.length()) {
            char c = s.charAt(at[0]++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = s.charAt(at[0]++);
            switch (e) {
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u':
                    sb.append((char) Integer.parseInt(s.substring(at[0], at[0] + 4), 16));
                    at[0] += 4;
                    break;
                default: sb.append(e);
            }
        }
        throw new IOException("unterminated string in the topology context's JSON");
    }
}
