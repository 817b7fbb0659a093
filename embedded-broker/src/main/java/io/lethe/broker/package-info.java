/** A real Kafka broker (KRaft, combined mode) started in-process on loopback: the zero-setup default and the integration tests' cluster. */
package io.lethe.broker;
