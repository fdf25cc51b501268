package dev.hitflow.udfs.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.maxmind.geoip2.DatabaseReader;
import dev.hitflow.udfs.ip.IpAddresses;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** On MaxMind's public City test database (../shared/data/maxmind). */
class GeoLocatorTest {
    static GeoLocator geo;

    @BeforeAll
    static void open() {
        Path db =
                MaxMindTestDatabases.cityTestDatabase()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "MaxMind test databases not found: put shared/data"
                                                        + " beside the checkout or set HITFLOW_SHARED_DATA"));
        geo = GeoLocator.open(db);
    }

    @AfterAll
    static void close() {
        geo.close();
    }

    static InetAddress ip(String text) {
        return IpAddresses.parse(text).orElseThrow();
    }

    @Test
    void locatesToCityAtMost() {
        assertThat(geo.locate(ip("2001:480:10::1")))
                .isEqualTo(new GeoLocation("US", "CA", "San Diego"));
        assertThat(geo.locate(ip("81.2.69.142"))).isEqualTo(new GeoLocation("GB", "ENG", "London"));
    }

    @Test
    void truncatedAddressesStillLocateWhereTheNetworkAllows() {
        assertThat(geo.locate(IpAddresses.truncate(ip("175.16.199.7"))))
                .isEqualTo(new GeoLocation("CN", "22", "Changchun"));
        // 81.2.69.142 is in a /27-ish network: its /24 is not listed with a city
        assertThat(geo.locate(IpAddresses.truncate(ip("81.2.69.142"))).city()).isNull();
    }

    @Test
    void anAddressNotInTheDatabaseIsUnknownNotAnError() {
        assertThat(geo.locate(ip("10.1.2.3"))).isEqualTo(GeoLocation.UNKNOWN);
    }

    @Test
    void describesTheDatabase() {
        assertThat(geo.description())
                .startsWith("GeoIP2-City built ")
                .contains("GeoIP2-City-Test.mmdb");
    }

    @Test
    void corruptOrWrongDatabasesFailAtOpenNamingTheFile() {
        for (String name :
                new String[] {
                    "GeoIP2-City-Test-Broken-Double-Format.mmdb",
                    "GeoIP2-City-Test-Invalid-Node-Count.mmdb"
                }) {
            Path db = MaxMindTestDatabases.file(name).orElseThrow();
            assertThatThrownBy(() -> GeoLocator.open(db))
                    .as(name)
                    .isInstanceOf(GeoDatabaseException.class)
                    .hasMessageStartingWith("GeoIP database " + db + " cannot be ");
        }
        Path asn = MaxMindTestDatabases.file("GeoLite2-ASN-Test.mmdb").orElseThrow();
        assertThatThrownBy(() -> GeoLocator.open(asn))
                .hasMessage(
                        "GeoIP database "
                                + asn
                                + " is a GeoLite2-ASN database; a City database is needed");
        assertThatThrownBy(() -> GeoLocator.open(Path.of("/nonexistent/x.mmdb")))
                .hasMessage("GeoIP database /nonexistent/x.mmdb does not exist");
    }

    @Test
    void geohashCellsAreCoarse() {
        assertThat(Geohash.encode(57.64911, 10.40744, 5)).isEqualTo("u4pru");
        assertThat(Geohash.encode(48.8566, 2.3522, 5)).isEqualTo("u09tv");
        assertThat(Geohash.encode(48.8566, 2.3522, 4)).isEqualTo("u09t");
        assertThatThrownBy(() -> Geohash.encode(48.8566, 2.3522, 6))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The block cache answers exactly what the database does, at the edges of every network the
     * test database lists (first, last and the addresses just outside), asked in a shuffled order
     * so that blocks are cached from any of their addresses first.
     */
    @Test
    void cachedAnswersAreTheDatabasesAtEveryNetworkEdge() throws Exception {
        List<InetAddress> probes = networkEdges();
        assertThat(probes).hasSizeGreaterThan(1_000);
        Collections.shuffle(probes, new Random(7));
        try (GeoLocator cached =
                GeoLocator.open(MaxMindTestDatabases.cityTestDatabase().orElseThrow())) {
            int located = 0;
            for (InetAddress probe : probes) {
                GeoLocation expected = geo.locateUncached(probe);
                assertThat(cached.locate(probe)).as(probe.toString()).isEqualTo(expected);
                located += expected.country() != null ? 1 : 0;
            }
            // and again, now from the cache
            for (InetAddress probe : probes) {
                assertThat(cached.locate(probe))
                        .as(probe.toString())
                        .isEqualTo(geo.locateUncached(probe));
            }
            assertThat(located).isGreaterThan(probes.size() / 3);
        }
    }

    /**
     * The first, second, middle and last address of every network the City test database lists, and
     * the addresses just outside it.
     */
    static List<InetAddress> networkEdges() throws Exception {
        Path json =
                MaxMindTestDatabases.cityTestDatabase()
                        .orElseThrow()
                        .resolveSibling("GeoIP2-City-Test.json");
        List<InetAddress> probes = new ArrayList<>();
        for (JsonNode entry : new ObjectMapper().readTree(json.toFile())) {
            String network = entry.fieldNames().next();
            if (network.startsWith("::") && network.contains(".")) {
                continue; // IPv4 written inside IPv6, listed again in the IPv4 form
            }
            String[] parts = network.split("/");
            byte[] start = InetAddress.getByName(parts[0]).getAddress();
            int bits = start.length * 8;
            BigInteger first = new BigInteger(1, start);
            BigInteger size = BigInteger.ONE.shiftLeft(bits - Integer.parseInt(parts[1]));
            BigInteger last = first.add(size).subtract(BigInteger.ONE);
            for (BigInteger a :
                    List.of(
                            first,
                            first.add(BigInteger.ONE),
                            last,
                            first.subtract(BigInteger.ONE),
                            last.add(BigInteger.ONE),
                            first.add(size.shiftRight(1)))) {
                if (a.signum() >= 0 && a.bitLength() <= bits) {
                    probes.add(address(a, start.length));
                }
            }
        }
        return probes;
    }

    /**
     * GeoLocator decodes only the fields it keeps; GeoIP2's full City model, read from the same
     * file, gives the same country, region and city for every address tried: every network edge of
     * the test database, and random addresses of the full-size GeoLite2 City when it is there.
     */
    @Test
    void slimDecodingAgreesWithGeoIp2sCityModel() throws Exception {
        List<Path> databases = new ArrayList<>();
        databases.add(MaxMindTestDatabases.cityTestDatabase().orElseThrow());
        MaxMindTestDatabases.fullSizeCity().ifPresent(databases::add);
        List<InetAddress> edges = networkEdges();
        for (Path db : databases) {
            List<InetAddress> probes = new ArrayList<>(edges);
            Random random = new Random(3);
            for (int i = 0; i < 20_000; i++) {
                byte[] bytes = new byte[i % 4 == 0 ? 16 : 4];
                random.nextBytes(bytes);
                if (bytes.length == 16) {
                    bytes[0] = 0x20; // 2000::/8 is where IPv6 networks are listed
                }
                probes.add(InetAddress.getByAddress(bytes));
            }
            int located = 0;
            try (GeoLocator slim = GeoLocator.open(db);
                    DatabaseReader full = new DatabaseReader.Builder(db.toFile()).build()) {
                for (InetAddress probe : probes) {
                    GeoLocation expected =
                            full.tryCity(probe)
                                    .map(
                                            c ->
                                                    new GeoLocation(
                                                            c.getCountry().getIsoCode(),
                                                            c.getSubdivisions().isEmpty()
                                                                    ? null
                                                                    : c.getSubdivisions()
                                                                            .get(0)
                                                                            .getIsoCode(),
                                                            c.getCity().getName()))
                                    .orElse(GeoLocation.UNKNOWN);
                    assertThat(slim.locateUncached(probe))
                            .as(db.getFileName() + " " + probe)
                            .isEqualTo(expected);
                    located += expected.country() != null ? 1 : 0;
                }
            }
            // 924 of the test database's probes have a country, 13,657 of GeoLite2's
            assertThat(located).as(db.getFileName().toString()).isGreaterThan(900);
        }
    }

    private static InetAddress address(BigInteger value, int length) throws Exception {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, bytes, length - copy, copy);
        return InetAddress.getByAddress(bytes);
    }
}
