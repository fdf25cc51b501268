package dev.hitflow.udfs.sql;

import dev.hitflow.udfs.geo.Geohash;
import org.apache.flink.table.functions.ScalarFunction;

/** {@code hitflow_geohash(lat, lon, precision)}: a coarse cell, precision at most 5. */
public class GeohashFunction extends ScalarFunction {
    public String eval(Double lat, Double lon, Integer precision) {
        if (lat == null || lon == null || precision == null) {
            return null;
        }
        try {
            return Geohash.encode(lat, lon, Math.min(precision, Geohash.MAX_PRECISION));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
