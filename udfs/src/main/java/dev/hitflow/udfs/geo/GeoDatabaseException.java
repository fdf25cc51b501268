package dev.hitflow.udfs.geo;

/** A GeoIP database that cannot be opened or read; the message names the file. */
public class GeoDatabaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GeoDatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
