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
        // Cheap character tests first: most path segments and parameter values fail them all.
        if (value.indexOf('@') >= 0 && EMAIL.matcher(value).find()) {
            return true;
        }
        int digits = digits(value);
        if (digits >= 7 && PHONE_CHARS.matcher(value).matches()) {
            return true;
        }
        return value.length() >= 20
                && digits >= 4
                && hasLetter(value)
                && TOKEN_CHARS.matcher(value).matches();
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
