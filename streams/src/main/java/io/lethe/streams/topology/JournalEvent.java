package io.lethe.streams.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One learner event since the last snapshot. A LEARN event names the retained example (its data is
 * in the retained store); an UNLEARN event carries the example's bytes, because the retained store
 * no longer has them.
 *
 * @param learn true for LEARN, false for UNLEARN
 * @param exampleKey retained-store key
 * @param exampleBytes the TrainingExample's Avro bytes (UNLEARN only; null for LEARN)
 * @param topic input topic the event came from
 * @param partition input partition
 * @param offset input offset
 */
public record JournalEvent(boolean learn, String exampleKey, byte[] exampleBytes, String topic, int partition, long offset) {

    byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeBoolean(learn);
            out.writeUTF(exampleKey);
            if (exampleBytes == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(exampleBytes.length);
                out.write(exampleBytes);
            }
            out.writeUTF(topic);
            out.writeInt(partition);
            out.writeLong(offset);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JournalEvent decode(byte[] value) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
            boolean learn = in.readBoolean();
            String key = in.readUTF();
            int length = in.readInt();
            byte[] data = null;
            if (length >= 0) {
                data = new byte[length];
                in.readFully(data);
            }
            return new JournalEvent(learn, key, data, in.readUTF(), in.readInt(), in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt learner journal entry", e);
        }
    }
}
