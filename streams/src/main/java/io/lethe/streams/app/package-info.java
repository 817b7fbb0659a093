/** Running Lethe: topic creation, the Kafka Streams client with exactly_once_v2, and the embedded broker default. */
package io.lethe.streams.app;
