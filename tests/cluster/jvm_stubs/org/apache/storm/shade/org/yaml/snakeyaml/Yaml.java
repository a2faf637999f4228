package org.apache.storm.shade.org.yaml.snakeyaml;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.storm.shade.org.yaml.snakeyaml.constructor.BaseConstructor;
import org.apache.storm.shade.org.yaml.snakeyaml.constructor.SafeConstructor;

/** Test stub: parses flat "key: scalar" YAML, and only through a SafeConstructor. */
public class Yaml {
    public Yaml(BaseConstructor constructor) {
        if (!(constructor instanceof SafeConstructor)) {
            throw new IllegalArgumentException("stub accepts only SafeConstructor");
        }
    }

    public Object load(Reader reader) {
        Map<String, Object> out = new HashMap<String, Object>();
        try (BufferedReader r = new BufferedReader(reader)) {
            String line;
            while ((line = r.readLine()) != null) {
                int colon = line.indexOf(": ");
                if (line.trim().isEmpty() || colon < 0) {
                    continue;
                }
                String value = line.substring(colon + 2).trim();
                Object v = value.matches("-?\\d+") ? (Object) Integer.valueOf(value) : value;
                out.put(line.substring(0, colon).trim(), v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
