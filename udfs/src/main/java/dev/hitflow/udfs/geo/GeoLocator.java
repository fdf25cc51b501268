package dev.hitflow.udfs.geo;

import com.maxmind.db.CHMCache;
import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.InvalidNetworkException;
import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;
import dev.hitflow.udfs.cache.ResultCache;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * City-level geolocation on a MaxMind City database (memory-mapped, with MaxMind's node cache).
 * Thread-safe: one per JVM. Coordinates, postal codes and accuracy radius never leave it: they are
 * not even decoded. MaxMind's reader decodes a record into {@link CityRecord}, which names only the
 * three fields kept, and skips the rest of it (GeoIP2's full City model decoded and copied names in
 * eight languages, location, postal code and traits for every lookup that missed the cache).
 */
public final class GeoLocator implements AutoCloseable {
    /** A documentation address (RFC 5737): a lookup that must work on any healthy database. */
    private static final byte[] PROBE = {(byte) 192, 0, 2, 1};

    /**
     * Records decoded at open to check the data section: all of a small database, the start of a
     * large one (a few tens of milliseconds on GeoLite2 City), so a corrupt file fails at start.
     */
    static final int RECORDS_CHECKED_AT_OPEN = 20_000;

    /** One memory-mapped reader per database file and JVM, shared by every operator using it. */
    private static final Map<Path, GeoLocator> SHARED = new ConcurrentHashMap<>();

    /**
     * Locations cached per address block (IPv4 /24, IPv6 /48) when the database's network for the
     * address covers the whole block, else per address: a hit then costs no walk down the
     * database's search tree and no lookup in MaxMind's node cache. Exact: a block is cached only
     * when one network holds all of it.
     */
    static final int CACHE_ENTRIES = 200_000;

    private final Reader reader;
    private final Path file;
    private final ResultCache<Block, GeoLocation> cache = new ResultCache<>(CACHE_ENTRIES);

    /** An address prefix: up to 128 bits in two longs, its length, and the address's (4 or 16). */
    record Block(long high, long low, int bits, int addressLength) {
        static Block of(byte[] address, int bits) {
            long high = 0;
            long low = 0;
            for (int i = 0; i < address.length; i++) {
                int b = address[i] & 0xff;
                int bitStart = i * 8;
                if (bitStart >= bits) {
                    b = 0;
                } else if (bitStart + 8 > bits) {
                    b &= 0xff << (bitStart + 8 - bits);
                }
                if (i < 8) {
                    high = (high << 8) | (b & 0xff);
                } else {
                    low = (low << 8) | (b & 0xff);
                }
            }
            return new Block(high, low, bits, address.length);
        }

        // Written out: a record's generated equals/hashCode go through method handles, which
        // the JIT left un-inlined on this per-lookup path (seen in profiles of the combiner's key).
        @Override
        public boolean equals(Object o) {
            return o instanceof Block b
                    && high == b.high
                    && low == b.low
                    && bits == b.bits
                    && addressLength == b.addressLength;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * (31 * Long.hashCode(high) + Long.hashCode(low)) + bits)
                    + addressLength;
        }
    }

    private GeoLocator(Reader reader, Path file) {
        this.reader = reader;
        this.file = file;
    }

    /**
     * Opens a City database; fails at once, naming the file, when it cannot be opened or read (a
     * probe lookup runs so that a corrupt search tree fails here, not on the first hit).
     */
    public static GeoLocator open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new GeoDatabaseException("GeoIP database " + file + " does not exist", null);
        }
        Reader reader;
        try {
            reader = new Reader(file.toFile(), Reader.FileMode.MEMORY_MAPPED, new CHMCache());
        } catch (IOException | RuntimeException e) {
            throw new GeoDatabaseException(
                    "GeoIP database " + file + " cannot be opened: " + e.getMessage(), e);
        }
        String type = reader.getMetadata().databaseType();
        if (type == null || !type.contains("City")) {
            close(reader);
            throw new GeoDatabaseException(
                    "GeoIP database "
                            + file
                            + " is a "
                            + type
                            + " database; a City database is needed",
                    null);
        }
        GeoLocator locator = new GeoLocator(reader, file);
        try (Reader check = new Reader(file.toFile())) {
            reader.getRecord(InetAddress.getByAddress(PROBE), CityRecord.class);
            Networks<Map> networks = check.networks(false, Map.class);
            for (int i = 0; i < RECORDS_CHECKED_AT_OPEN && networks.hasNext(); i++) {
                networks.next();
            }
        } catch (IOException | InvalidNetworkException | RuntimeException e) {
            close(reader);
            throw new GeoDatabaseException(
                    "GeoIP database " + file + " cannot be read: " + e.getMessage(), e);
        }
        return locator;
    }

    /**
     * The JVM's shared locator for that file, opened on first use (the reader is thread-safe and
     * memory-mapped, so one per file is enough). Callers must not close it.
     */
    public static GeoLocator shared(Path file) {
        return SHARED.computeIfAbsent(file.toAbsolutePath().normalize(), GeoLocator::open);
    }

    /** Country, region and city of an address; {@link GeoLocation#UNKNOWN} when not listed. */
    public GeoLocation locate(InetAddress address) {
        byte[] bytes = address.getAddress();
        int blockBits = bytes.length == 4 ? 24 : 48;
        Block block = Block.of(bytes, blockBits);
        GeoLocation cached = cache.get(block);
        if (cached != null) {
            return cached;
        }
        Block exact = Block.of(bytes, bytes.length * 8);
        cached = cache.get(exact);
        if (cached != null) {
            return cached;
        }
        DatabaseRecord<CityRecord> found = lookUp(address);
        GeoLocation location = toLocation(found);
        boolean wholeBlock =
                found != null
                        && found.data() != null
                        && found.network().prefixLength() <= blockBits;
        cache.put(wholeBlock ? block : exact, location);
        return location;
    }

    /**
     * The same as {@link #locate}, from the database every time: the cache's reference in tests,
     * and the cost of a miss in benchmarks.
     */
    public GeoLocation locateUncached(InetAddress address) {
        return toLocation(lookUp(address));
    }

    private DatabaseRecord<CityRecord> lookUp(InetAddress address) {
        try {
            return reader.getRecord(address, CityRecord.class);
        } catch (IOException e) {
            // the database was checked at open(); a failure here is per-record, not fatal
            return null;
        }
    }

    private static GeoLocation toLocation(DatabaseRecord<CityRecord> found) {
        CityRecord city = found == null ? null : found.data();
        if (city == null) {
            return GeoLocation.UNKNOWN;
        }
        List<Coded> subdivisions = city.subdivisions;
        return new GeoLocation(
                city.country == null ? null : city.country.isoCode,
                subdivisions == null || subdivisions.isEmpty() ? null : subdivisions.get(0).isoCode,
                city.city == null || city.city.names == null ? null : city.city.names.en);
    }

    /**
     * The part of a City record kept: MaxMind's decoder fills only these parameters and skips the
     * record's other keys. Public, with public constructors, for the decoder's reflection.
     */
    public static final class CityRecord {
        final Coded country;
        final List<Coded> subdivisions;
        final Named city;

        @MaxMindDbConstructor
        public CityRecord(
                @MaxMindDbParameter(name = "country") Coded country,
                @MaxMindDbParameter(name = "subdivisions") List<Coded> subdivisions,
                @MaxMindDbParameter(name = "city") Named city) {
            this.country = country;
            this.subdivisions = subdivisions;
            this.city = city;
        }
    }

    /** A country or subdivision: only its ISO code is kept (its names are skipped). */
    public static final class Coded {
        final String isoCode;

        @MaxMindDbConstructor
        public Coded(@MaxMindDbParameter(name = "iso_code") String isoCode) {
            this.isoCode = isoCode;
        }
    }

    /** A city: only its names are kept (it has no ISO code). */
    public static final class Named {
        final Names names;

        @MaxMindDbConstructor
        public Named(@MaxMindDbParameter(name = "names") Names names) {
            this.names = names;
        }
    }

    /** Of a place's names, the English one (GeoIP2's default locale). */
    public static final class Names {
        final String en;

        @MaxMindDbConstructor
        public Names(@MaxMindDbParameter(name = "en") String en) {
            this.en = en;
        }
    }

    /** Which database this is, for start-up messages: type and build date. */
    public String description() {
        return reader.getMetadata().databaseType()
                + " built "
                + reader.getMetadata().buildTime().toString().substring(0, 10)
                + " ("
                + file
                + ")";
    }

    @Override
    public void close() {
        close(reader);
    }

    private static void close(Reader reader) {
        try {
            reader.close();
        } catch (IOException e) {
            // a memory-mapped reader: nothing left to release that an error could hold
        }
    }
}
