package io.ledgerdisk.appliance.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command line split into positional words and {@code --option value} pairs (or bare
 * {@code --flag}s). Options a command does not know are refused, so a typo never silently
 * falls back to a default.
 */
public final class CliArgs {

    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();

    private CliArgs() {
    }

    /**
     * Parses {@code args}. {@code valued} options take the next word as value; {@code flags}
     * take none.
     *
     * @throws UsageException for an unknown option or a missing value
     */
    public static CliArgs parse(List<String> args, Set<String> valued, Set<String> flags) {
        CliArgs parsed = new CliArgs();
        for (int i = 0; i < args.size(); i++) {
            String word = args.get(i);
            if (!word.startsWith("--")) {
                parsed.positional.add(word);
                continue;
            }
            String name = word;
            String value = null;
            int equals = word.indexOf('=');
            if (equals > 0) {
                name = word.substring(0, equals);
                value = word.substring(equals + 1);
            }
            if (flags.contains(name) && value == null) {
                parsed.options.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(name + " needs a value");
                    }
                    value = args.get(++i);
                }
                parsed.options.put(name, value);
            } else {
                throw new UsageException("unknown option " + name);
            }
        }
        return parsed;
    }

    public List<String> positional() {
        return positional;
    }

    public String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    public boolean flag(String name) {
        return options.containsKey(name);
    }

    /** The positional word at {@code index}, or a usage error naming what is missing. */
    public String required(int index, String what) {
        if (index >= positional.size()) {
            throw new UsageException(what + " is missing");
        }
        return positional.get(index);
    }
}
