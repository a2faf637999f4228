package org.apache.storm.shade.org.yaml.snakeyaml;

/** Test stub (SnakeYAML 2.x has it; its presence selects the 2.x constructor). */
public class LoaderOptions {
}
