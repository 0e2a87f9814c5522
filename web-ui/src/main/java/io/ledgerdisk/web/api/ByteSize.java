package io.ledgerdisk.web.api;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints sizes such as {@code 512}, {@code 64K}, {@code 10G} or {@code 1T}
 * (binary units: K = 1024). Shared by the REST API and the CLI so both accept the same text.
 */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([KMGTP]?)(I?B)?", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "KMGTP";

    private ByteSize() {
    }

    /**
     * Parses a size.
     *
     * @throws IllegalArgumentException with a readable message when the text is not a size
     */
    public static long parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("size is missing; write it like 10G, 512M or 4096");
        }
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write it like 10G, 512M or 4096 (units K, M, G, T)");
        }
        long number;
        try {
            number = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large", e);
        }
        String unit = m.group(2).toUpperCase(Locale.ROOT);
        int shift = unit.isEmpty() ? 0 : 10 * (UNITS.indexOf(unit) + 1);
        if (shift > 0 && number > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return number << shift;
    }

    /** Prints a size in the largest binary unit that divides it exactly, e.g. {@code 4G}. */
    public static String format(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        int unit = 0;
        long value = bytes;
        while (unit < UNITS.length() && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? Long.toString(value) : value + UNITS.substring(unit - 1, unit);
    }
}
