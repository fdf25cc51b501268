package dev.hitflow.udfs.ip;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * IP literals: parsing without any name lookup, and truncation before geolocation (IPv4 to /24,
 * IPv6 to /48). IPv4-mapped IPv6 addresses are treated as the IPv4 address they carry.
 */
public final class IpAddresses {
    private IpAddresses() {}

    /** The address of an IPv4 or IPv6 literal; empty for anything else (never a DNS lookup). */
    public static Optional<InetAddress> parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return Optional.empty();
        }
        byte[] bytes = text.indexOf(':') >= 0 ? parseV6(text) : parseV4(text);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            // From raw bytes: no lookup. A 16-byte IPv4-mapped address comes back as Inet4Address.
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** IPv4: last octet zeroed (/24). IPv6: all but the first 48 bits zeroed (/48). */
    public static InetAddress truncate(InetAddress address) {
        byte[] bytes = address.getAddress();
        int keep = address instanceof Inet4Address ? 3 : 6;
        Arrays.fill(bytes, keep, bytes.length, (byte) 0);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
        }
    }

    /** Canonical text: dotted quad, or RFC 5952 compressed IPv6. */
    public static String toText(InetAddress address) {
        if (address instanceof Inet6Address) {
            return compress(address.getAddress());
        }
        return address.getHostAddress();
    }

    static byte[] parseV4(String text) {
        byte[] out = new byte[4];
        int part = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (value < 0 || part > 3) {
                    return null;
                }
                out[part++] = (byte) value;
                value = -1;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) {
                    return null; // no leading zeros: "010" is ambiguous (octal in some parsers)
                }
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }

    static byte[] parseV6(String text) {
        int percent = text.indexOf('%');
        if (percent >= 0) {
            return null; // zone IDs are not collector addresses
        }
        String[] halves = text.split("::", -1);
        if (halves.length > 2) {
            return null;
        }
        int[] head = groups(halves[0]);
        int[] tail = halves.length == 2 ? groups(halves[1]) : new int[0];
        if (head == null || tail == null) {
            return null;
        }
        // an embedded IPv4 tail counts as two groups and is marked by a negative length
        int total = head.length + tail.length;
        if (halves.length == 1 ? total != 8 : total > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.length; i++) {
            out[2 * i] = (byte) (head[i] >> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        int offset = 8 - tail.length;
        for (int i = 0; i < tail.length; i++) {
            out[2 * (offset + i)] = (byte) (tail[i] >> 8);
            out[2 * (offset + i) + 1] = (byte) tail[i];
        }
        return out;
    }

    /** The 16-bit groups of one side of "::"; a dotted IPv4 last part gives two groups. */
    private static int[] groups(String side) {
        if (side.isEmpty()) {
            return new int[0];
        }
        String[] parts = side.split(":", -1);
        int[] out = new int[parts.length + 1];
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (i == parts.length - 1 && part.indexOf('.') >= 0) {
                byte[] v4 = parseV4(part);
                if (v4 == null) {
                    return null;
                }
                out[n++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                out[n++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (part.isEmpty() || part.length() > 4) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                int d = Character.digit(part.charAt(j), 16);
                if (d < 0) {
                    return null;
                }
                value = value * 16 + d;
            }
            out[n++] = value;
        }
        return Arrays.copyOf(out, n);
    }

    private static String compress(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i > 1) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
