package dev.hitflow.udfs.geo;

/**
 * Geohash encoding, capped at 5 characters (cells of about 5 x 5 km): the coarse cell GPS becomes
 * under OPT_IN. The coordinates themselves are never kept.
 */
public final class Geohash {
    public static final int MAX_PRECISION = 5;
    private static final char[] BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz".toCharArray();

    private Geohash() {}

    public static String encode(double lat, double lon, int precision) {
        if (precision < 1 || precision > MAX_PRECISION) {
            throw new IllegalArgumentException("precision must be 1.." + MAX_PRECISION);
        }
        if (Double.isNaN(lat)
                || Double.isNaN(lon)
                || lat < -90
                || lat > 90
                || lon < -180
                || lon > 180) {
            throw new IllegalArgumentException("coordinates out of range");
        }
        double[] latRange = {-90, 90};
        double[] lonRange = {-180, 180};
        StringBuilder out = new StringBuilder(precision);
        boolean evenBit = true;
        int bit = 0;
        int ch = 0;
        while (out.length() < precision) {
            double[] range = evenBit ? lonRange : latRange;
            double value = evenBit ? lon : lat;
            double mid = (range[0] + range[1]) / 2;
            if (value >= mid) {
                ch = (ch << 1) | 1;
                range[0] = mid;
            } else {
                ch = ch << 1;
                range[1] = mid;
            }
            evenBit = !evenBit;
            if (++bit == 5) {
                out.append(BASE32[ch]);
                bit = 0;
                ch = 0;
            }
        }
        return out.toString();
    }
}
