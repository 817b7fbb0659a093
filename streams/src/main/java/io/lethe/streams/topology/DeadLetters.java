package io.lethe.streams.topology;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds dead-letter records that keep the rejected bytes and say why. */
final class DeadLetters {

    private DeadLetters() {
    }

    static byte[] of(RecordMetadata source, String key, byte[] payload, String reason, String errorClass, long now) {
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(source == null ? "unknown" : source.topic())
                .setPartition(source == null ? -1 : source.partition())
                .setOffset(source == null ? -1 : source.offset())
                .setKey(key)
                .setPayload(payload == null ? null : ByteBuffer.wrap(payload))
                .setReason(reason)
                .setErrorClass(errorClass)
                .setFailedAt(Instant.ofEpochMilli(now))
                .build();
        return AvroCodec.DEAD_LETTER.encode(letter);
    }
}
