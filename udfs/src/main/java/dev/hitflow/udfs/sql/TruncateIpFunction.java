package dev.hitflow.udfs.sql;

import dev.hitflow.udfs.ip.IpAddresses;
import org.apache.flink.table.functions.ScalarFunction;

/** {@code hitflow_truncate_ip(ip)}: IPv4 to /24, IPv6 to /48; null for anything not an IP. */
public class TruncateIpFunction extends ScalarFunction {
    public String eval(String ip) {
        return IpAddresses.parse(ip)
                .map(a -> IpAddresses.toText(IpAddresses.truncate(a)))
                .orElse(null);
    }
}
