/**
 * Why an erasure can reach copies Lethe cannot find: every stored value that holds a subject's data
 * is sealed (AES-GCM) under that subject's own data key, and stores index subjects by a keyed hash,
 * never the id. Destroying the data key (crypto-shredding) makes every copy unreadable at once:
 * changelog segments not yet compacted, RocksDB files, backups. The data keys live in a changelogged
 * store, wrapped by the operator's key-encryption key; nothing here knows Kafka topics or learners.
 */
package io.lethe.streams.privacy;
