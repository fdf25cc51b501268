package dev.hitflow.udfs.geo;

/**
 * Where an address is, never finer than city: ISO country code, ISO code of the first subdivision
 * (region), English city name. Any of them may be null.
 */
public record GeoLocation(String country, String region, String city) {
    public static final GeoLocation UNKNOWN = new GeoLocation(null, null, null);
}
