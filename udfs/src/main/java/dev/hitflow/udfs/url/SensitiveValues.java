package dev.hitflow.udfs.url;

import java.util.regex.Pattern;

/** Values that must not be stored wherever they appear: e-mail addresses, phones, tokens. */
public final class SensitiveValues {
    private static final Pattern EMAIL =
            Pattern.compile("[^\\s@/?&=#]+@[^\\s@/?&=#]+\\.[A-Za-z]{2,}");
    private static final Pattern PHONE_CHARS = Pattern.compile("\\+?[\\d\\s().\\-]{7,}");
    private static final Pattern TOKEN_CHARS = Pattern.compile("[A-Za-z0-9_\\-.=+~]{20,}");

    private SensitiveValues() {}

    /** True for a value (already percent-decoded) that looks like personal data or a secret. */
    public static boolean isSensitive(String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        if (EMAIL.matcher(value).find()) {
            return true;
        }
        if (PHONE_CHARS.matcher(value).matches() && digits(value) >= 7) {
            return true;
        }
        return TOKEN_CHARS.matcher(value).matches() && hasLetter(value) && digits(value) >= 4;
    }

    private static int digits(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                n++;
            }
        }
        return n;
    }

    private static boolean hasLetter(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isLetter(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
