/**
 * The only module that wires the others: configuration, the Kafka Streams topology, the embedded
 * broker, the application and the command line.
 */
package io.lethe.streams;
