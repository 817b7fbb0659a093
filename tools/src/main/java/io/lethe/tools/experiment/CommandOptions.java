package io.lethe.tools.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} options over documented defaults; unknown or incomplete options fail with the list. */
final class CommandOptions {

    private CommandOptions() {
    }

    static Map<String, String> parse(List<String> args, Map<String, String> defaults) {
        Map<String, String> values = new LinkedHashMap<>(defaults);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || i + 1 >= args.size() || !values.containsKey(arg.substring(2))) {
                throw new IllegalArgumentException("unknown or incomplete option '" + arg + "'; options: " + values.keySet());
            }
            values.put(arg.substring(2), args.get(++i));
        }
        return values;
    }
}
