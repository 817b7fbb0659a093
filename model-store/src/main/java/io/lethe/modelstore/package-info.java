/**
 * Model checkpoints as files named by their content hash, written atomically (temp file, fsync,
 * rename), each with a manifest carrying its lineage; and a subscriber that follows model-version
 * events. Uses Kafka clients only, never Kafka Streams: downstream services depend on this alone.
 */
package io.lethe.modelstore;
