package io.ledgerdisk.web.api;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints periods such as {@code 0}, {@code 90s}, {@code 30m}, {@code 24h} or
 * {@code 7d} (a bare number is seconds). Shared by the REST API and the CLI so both accept the
 * same text, like {@link ByteSize} for sizes.
 */
public final class DurationText {

    private static final Pattern PERIOD = Pattern.compile("(\\d{1,15})\\s*([smhd]?)", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "smhd";
    private static final long[] SECONDS = {1, 60, 3_600, 86_400};
    /** Periods are kept in microseconds by the metadata; this keeps the product within a long. */
    public static final long MAX_SECONDS = Long.MAX_VALUE / 1_000_000;

    private DurationText() {
    }

    /**
     * Parses a period into seconds.
     *
     * @throws IllegalArgumentException with a readable message when the text is not a period
     */
    public static long parseSeconds(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("period is missing; write it like 24h, 7d, 30m or 0");
        }
        Matcher m = PERIOD.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a period; write it like 24h, 7d, 30m, 90s or 0");
        }
        String unit = m.group(2).isEmpty() ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        long number = Long.parseLong(m.group(1));
        long multiplier = SECONDS[UNITS.indexOf(unit)];
        if (number > MAX_SECONDS / multiplier) {
            throw new IllegalArgumentException("'" + text + "' is too long");
        }
        return number * multiplier;
    }

    /**
     * Parses a duration: a period as {@link #parseSeconds} reads it, or milliseconds written
     * like {@code 500ms} (timer settings want less than a second).
     */
    public static Duration parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.toLowerCase(Locale.ROOT).endsWith("ms")) {
            String number = trimmed.substring(0, trimmed.length() - 2).trim();
            if (!number.matches("\\d{1,15}")) {
                throw new IllegalArgumentException("'" + text + "' is not a duration; write it like 500ms, 30s, 10m or 24h");
            }
            return Duration.ofMillis(Long.parseLong(number));
        }
        return Duration.ofSeconds(parseSeconds(text));
    }

    /** Prints seconds in the largest unit that divides them exactly, e.g. {@code 24h}, {@code 7d}, {@code 0}. */
    public static String format(long seconds) {
        if (seconds == 0) {
            return "0";
        }
        for (int unit = SECONDS.length - 1; unit > 0; unit--) {
            if (seconds % SECONDS[unit] == 0) {
                return seconds / SECONDS[unit] + UNITS.substring(unit, unit + 1);
            }
        }
        return seconds + "s";
    }
}
