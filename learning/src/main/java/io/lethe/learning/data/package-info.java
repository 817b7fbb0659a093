/**
 * Readers for the real data sets the demo and benchmarks use (fetched by scripts/fetch-data.sh),
 * and the scenarios built from them. Plain files in, arrays out: no Kafka here either.
 */
package io.lethe.learning.data;
