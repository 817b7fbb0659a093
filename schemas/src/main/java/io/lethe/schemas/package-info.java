/**
 * The wire contract of Lethe: Avro schemas of every topic (generated classes live beside this
 * package), single-object encoding codecs, and the topic names. Depends on Avro only, so producers
 * and subscribers can use it without the rest of Lethe.
 */
package io.lethe.schemas;
