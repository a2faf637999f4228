package org.apache.storm.shade.org.yaml.snakeyaml.constructor;

/** Test stub. */
public abstract class BaseConstructor {
}
