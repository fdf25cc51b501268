package dev.hitflow.schemas.config;

/**
 * A configuration problem found at start: a missing file, an unknown key, a bad value. The message
 * names the file, the tenant and the key; it never carries key material.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
