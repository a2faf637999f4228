package org.apache.storm.shade.org.yaml.snakeyaml.constructor;

import org.apache.storm.shade.org.yaml.snakeyaml.LoaderOptions;

/** Test stub with SnakeYAML 2.x's only constructor. */
public class SafeConstructor extends BaseConstructor {
    public SafeConstructor(LoaderOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("LoaderOptions required");
        }
    }
}
