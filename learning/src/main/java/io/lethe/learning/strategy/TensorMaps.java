package io.lethe.learning.strategy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Copies, sizes and (de)serialisation of named parameter-shaped arrays (a strategy's state). */
final class TensorMaps {

    private TensorMaps() {
    }

    static Map<String, INDArray> copy(Map<String, INDArray> values) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        values.forEach((name, v) -> out.put(name, v.dup()));
        return out;
    }

    static long bytes(Map<String, INDArray> values) {
        return values == null ? 0 : values.values().stream().mapToLong(v -> v.length() * v.dataType().width()).sum();
    }

    /** Writes a nullable map: a flag, the count, then name and array per entry. */
    static void write(Map<String, INDArray> values, DataOutputStream out) throws IOException {
        out.writeBoolean(values != null);
        if (values == null) {
            return;
        }
        out.writeInt(values.size());
        for (Map.Entry<String, INDArray> e : values.entrySet()) {
            out.writeUTF(e.getKey());
            Nd4j.write(e.getValue(), out);
        }
    }

    static Map<String, INDArray> read(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        int n = in.readInt();
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            out.put(name, Nd4j.read(in));
        }
        return out;
    }
}
