/**
 * The Split-MNIST demo: a real stream through a real broker, learning five class-incremental tasks,
 * erasing subjects and a whole class, and checking the result against ridge trained jointly on the
 * retained data.
 */
package io.lethe.streams.demo;
