package io.lethe.learning.unlearning;

import java.util.LinkedHashMap;
import java.util.Map;

/** A method's settings as the string map receipts and lineage carry. */
final class MethodConfig {

    private MethodConfig() {
    }

    /** method name, then key, value, key, value, ... */
    static Map<String, String> of(String method, Object... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("method", method);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], String.valueOf(keyValues[i + 1]));
        }
        return m;
    }
}
