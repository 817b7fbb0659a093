package io.lethe.streams;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One setting of a Lethe application: its name, default, meaning, and how a value is read and
 * checked. Everything that shows or reads settings (the {@code lethe settings} list, the README
 * table, {@code -D}, {@code --config} files, {@code LETHE_*} variables) goes through these, so a
 * setting is defined once.
 *
 * @param name the key, e.g. {@code lethe.ridge.gamma}
 * @param defaultValue its default, as written in a properties file ("" for none)
 * @param meaning what it does, for {@code lethe settings} and the README
 * @param parser reads a value; a value it cannot read is reported as not meeting {@code requirement}
 * @param valid whether a read value is allowed
 * @param requirement what an allowed value is, e.g. "must be at least 1": the message names the setting
 */
public record Setting<T>(String name, String defaultValue, String meaning, Function<String, T> parser, Predicate<T> valid,
                         String requirement) {

    /** Reads the setting from the merged values, or throws a message naming it, its rule and the value given. */
    public T read(Map<String, String> values) {
        String raw = values.getOrDefault(name, defaultValue);
        T value;
        try {
            value = parser.apply(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " " + requirement + ", got '" + raw + "' (not a number)");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " " + requirement + ", got '" + raw + "'");
        }
        if (!valid.test(value)) {
            throw new IllegalArgumentException(name + " " + requirement + ", got '" + raw + "'");
        }
        return value;
    }

    static Setting<String> text(String name, String defaultValue, String meaning) {
        return new Setting<>(name, defaultValue, meaning, s -> s, s -> true, "is any text");
    }

    static Setting<String> matching(String name, String defaultValue, String meaning, String regex, String requirement) {
        return new Setting<>(name, defaultValue, meaning, s -> s, s -> s.matches(regex), requirement);
    }

    static Setting<String> oneOf(String name, String defaultValue, String meaning, List<String> allowed) {
        return new Setting<>(name, defaultValue, meaning, s -> s, allowed::contains,
                "must be " + String.join(" or ", allowed));
    }

    static Setting<Boolean> flag(String name, String defaultValue, String meaning) {
        return new Setting<>(name, defaultValue, meaning, s -> {
            if (!s.equals("true") && !s.equals("false")) {
                throw new IllegalArgumentException(s);
            }
            return Boolean.parseBoolean(s);
        }, v -> true, "must be true or false");
    }

    static Setting<Integer> atLeast(String name, String defaultValue, String meaning, int minimum) {
        return new Setting<>(name, defaultValue, meaning, Integer::parseInt, v -> v >= minimum, "must be at least " + minimum);
    }

    static Setting<Long> atLeastLong(String name, String defaultValue, String meaning, long minimum) {
        return new Setting<>(name, defaultValue, meaning, Long::parseLong, v -> v >= minimum, "must be at least " + minimum);
    }

    static Setting<Long> anyLong(String name, String defaultValue, String meaning) {
        return new Setting<>(name, defaultValue, meaning, Long::parseLong, v -> true, "must be a whole number");
    }

    static Setting<Double> positive(String name, String defaultValue, String meaning) {
        return new Setting<>(name, defaultValue, meaning, Double::parseDouble, v -> v > 0 && Double.isFinite(v),
                "must be a positive number");
    }

    static Setting<Double> within(String name, String defaultValue, String meaning, double from, double below) {
        return new Setting<>(name, defaultValue, meaning, Double::parseDouble, v -> v >= from && v < below,
                "must lie in [" + from + ", " + below + ")");
    }

    /** A port: -1 turns the endpoint off, 0 picks any free port. */
    static Setting<Integer> port(String name, String defaultValue, String meaning) {
        return new Setting<>(name, defaultValue, meaning, Integer::parseInt, v -> v >= -1 && v <= 65535,
                "must be -1 (off), 0 (any free port) or a port number");
    }
}
