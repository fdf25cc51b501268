package dev.hitflow.schemas.config;

import java.util.regex.Pattern;

/**
 * The names of BI principals in {@code readers} and {@code bi_admins}: a user name, or {@code
 * group:NAME} for a group of the query engine's group provider. The character set is narrow so a
 * name can go into an access rule's pattern with only its dots escaped.
 */
public final class ReaderNames {
    /** Prefix marking a group rather than a user. */
    public static final String GROUP_PREFIX = "group:";

    static final String RULE =
            "a reader is a user name or group:NAME of letters, digits, '.', '_', '@' or '-'";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");

    private ReaderNames() {}

    public static boolean isValid(String name) {
        return NAME.matcher(isGroup(name) ? name.substring(GROUP_PREFIX.length()) : name).matches();
    }

    public static boolean isGroup(String name) {
        return name.startsWith(GROUP_PREFIX);
    }

    /** The user or group name without the {@code group:} prefix. */
    public static String bareName(String name) {
        return isGroup(name) ? name.substring(GROUP_PREFIX.length()) : name;
    }
}
