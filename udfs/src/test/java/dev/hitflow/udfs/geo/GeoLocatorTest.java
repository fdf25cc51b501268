package dev.hitflow.udfs.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hitflow.udfs.ip.IpAddresses;
import java.net.InetAddress;
import java.nio.file.Path;
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
}
