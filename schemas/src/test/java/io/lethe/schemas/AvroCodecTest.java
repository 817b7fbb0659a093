package io.lethe.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

    static TrainingExample example() {
        return TrainingExample.newBuilder().setExampleId("e-1").setSubjectId("subject-7").setTask(2).setLabel(5)
                .setPixels(ByteBuffer.wrap(new byte[] {0, 1, (byte) 255})).setFeatures(null)
                .setEventTime(java.time.Instant.ofEpochMilli(1234)).build();
    }

    @Test
    void singleObjectEncodingRoundTrips() {
        byte[] bytes = AvroCodec.TRAINING_EXAMPLE.encode(example());
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        assertEquals(example(), AvroCodec.TRAINING_EXAMPLE.decode(bytes));

        ErasureRequest request = ErasureRequest.newBuilder().setRequestId("r-1").setScope(ErasureScope.SUBJECT)
                .setSubjectId("subject-7").setExampleIds(List.of()).setRequestedAt(java.time.Instant.ofEpochMilli(5))
                .build();
        assertEquals(request, AvroCodec.ERASURE_REQUEST.decode(AvroCodec.ERASURE_REQUEST.encode(request)));
    }

    @Test
    void encodesTheBytesAvrosOwnMessageEncoderWrites() throws java.io.IOException {
        TrainingExample example = example();
        assertArrayEquals(bytes(TrainingExample.getEncoder().encode(example)), AvroCodec.TRAINING_EXAMPLE.encode(example));
        ErasureRequest request = ErasureRequest.newBuilder().setRequestId("r-2").setScope(ErasureScope.CLASS)
                .setClassLabel(3).setExampleIds(List.of("a", "b")).setRequestedAt(java.time.Instant.ofEpochMilli(99))
                .setReason("test").build();
        assertArrayEquals(bytes(ErasureRequest.getEncoder().encode(request)), AvroCodec.ERASURE_REQUEST.encode(request));
        LearnerCommand command = LearnerCommand.newBuilder().setCommand(example)
                .setReceivedAt(java.time.Instant.ofEpochMilli(7))
                .setSource(SourcePosition.newBuilder().setTopic("lethe.examples").setPartition(0).setOffset(42).build())
                .build();
        assertArrayEquals(bytes(LearnerCommand.getEncoder().encode(command)), AvroCodec.LEARNER_COMMAND.encode(command));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    @Test
    void garbageAndWrongTypesAreRefusedWithAReason() {
        AvroCodec.AvroCodecException garbage = assertThrows(AvroCodec.AvroCodecException.class,
                () -> AvroCodec.TRAINING_EXAMPLE.decode(new byte[] {1, 2, 3}));
        assertTrue(garbage.getMessage().contains("single-object"), garbage.getMessage());

        byte[] request = AvroCodec.ERASURE_REQUEST.encode(ErasureRequest.newBuilder().setRequestId("r")
                .setScope(ErasureScope.CLASS).setClassLabel(3).setRequestedAt(java.time.Instant.EPOCH).build());
        AvroCodec.AvroCodecException wrongType = assertThrows(AvroCodec.AvroCodecException.class,
                () -> AvroCodec.TRAINING_EXAMPLE.decode(request));
        assertTrue(wrongType.getMessage().contains("unknown schema"), wrongType.getMessage());

        byte[] truncated = java.util.Arrays.copyOf(AvroCodec.TRAINING_EXAMPLE.encode(example()), 14);
        AvroCodec.AvroCodecException cut = assertThrows(AvroCodec.AvroCodecException.class,
                () -> AvroCodec.TRAINING_EXAMPLE.decode(truncated));
        assertTrue(cut.getMessage().contains("malformed"), cut.getMessage());
    }
}
