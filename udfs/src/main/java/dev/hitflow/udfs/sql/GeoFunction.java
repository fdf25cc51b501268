package dev.hitflow.udfs.sql;

import dev.hitflow.udfs.geo.GeoLocation;
import dev.hitflow.udfs.geo.GeoLocator;
import dev.hitflow.udfs.ip.IpAddresses;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;

/** Base of hitflow_geo_country / _region / _city: one field of the city-level location. */
public abstract class GeoFunction extends ScalarFunction {
    private transient GeoLocator geo;

    /** The field this function returns. */
    protected abstract String field(GeoLocation location);

    @Override
    public void open(FunctionContext context) {
        geo = SharedEnrichers.geo(context);
    }

    public String eval(String ip) {
        return IpAddresses.parse(ip).map(a -> field(geo.locate(a))).orElse(null);
    }

    /** {@code hitflow_geo_country(ip)}: ISO country code. */
    public static class Country extends GeoFunction {
        @Override
        protected String field(GeoLocation location) {
            return location.country();
        }
    }

    /** {@code hitflow_geo_region(ip)}: ISO code of the first subdivision. */
    public static class Region extends GeoFunction {
        @Override
        protected String field(GeoLocation location) {
            return location.region();
        }
    }

    /** {@code hitflow_geo_city(ip)}: English city name. */
    public static class City extends GeoFunction {
        @Override
        protected String field(GeoLocation location) {
            return location.city();
        }
    }
}
