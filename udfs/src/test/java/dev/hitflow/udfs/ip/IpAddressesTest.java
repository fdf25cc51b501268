package dev.hitflow.udfs.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpAddressesTest {
    static String truncated(String ip) {
        return IpAddresses.toText(IpAddresses.truncate(IpAddresses.parse(ip).orElseThrow()));
    }

    @Test
    void parsesLiteralsOnly() {
        assertThat(IpAddresses.parse("81.2.69.142").map(InetAddress::getHostAddress))
                .contains("81.2.69.142");
        assertThat(IpAddresses.parse("2001:480:10::1").map(IpAddresses::toText))
                .contains("2001:480:10::1");
        assertThat(IpAddresses.parse("::1").map(IpAddresses::toText)).contains("::1");
        assertThat(
                        IpAddresses.parse("2001:0db8:0000:0000:0000:ff00:0042:8329")
                                .map(IpAddresses::toText))
                .contains("2001:db8::ff00:42:8329");
        // IPv4-mapped IPv6 is the IPv4 address it carries
        assertThat(IpAddresses.parse("::ffff:81.2.69.142")).get().isInstanceOf(Inet4Address.class);
        assertThat(IpAddresses.parse("::ffff:81.2.69.142").map(IpAddresses::toText))
                .contains("81.2.69.142");
        for (String bad :
                new String[] {
                    "",
                    "example.com",
                    "localhost",
                    "1.2.3",
                    "1.2.3.4.5",
                    "256.1.1.1",
                    "01.2.3.4",
                    "1.2.3.-4",
                    "2001:db8::1::2",
                    "2001:db8:1:2:3:4:5:6:7",
                    "12345::1",
                    "fe80::1%eth0",
                    "gggg::1",
                    " 1.2.3.4"
                }) {
            assertThat(IpAddresses.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void truncatesIpv4To24AndIpv6To48() {
        assertThat(truncated("81.2.69.142")).isEqualTo("81.2.69.0");
        assertThat(truncated("175.16.199.7")).isEqualTo("175.16.199.0");
        assertThat(truncated("2001:480:10:abcd:1:2:3:4")).isEqualTo("2001:480:10::");
        assertThat(truncated("::ffff:81.2.69.142")).isEqualTo("81.2.69.0");
    }
}
