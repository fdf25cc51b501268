package dev.hitflow.udfs.sql;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.UserDefinedFunction;

/** Registers every Hitflow enrichment as a Flink SQL function. */
public final class HitflowFunctions {
    private HitflowFunctions() {}

    /** Name -> function class, in the order the README lists them. */
    public static Map<String, Class<? extends UserDefinedFunction>> all() {
        Map<String, Class<? extends UserDefinedFunction>> f = new LinkedHashMap<>();
        f.put("hitflow_truncate_ip", TruncateIpFunction.class);
        f.put("hitflow_geo_country", GeoFunction.Country.class);
        f.put("hitflow_geo_region", GeoFunction.Region.class);
        f.put("hitflow_geo_city", GeoFunction.City.class);
        f.put("hitflow_ua_device_class", AgentFunction.DeviceClass.class);
        f.put("hitflow_ua_os_name", AgentFunction.OsName.class);
        f.put("hitflow_ua_agent_name", AgentFunction.AgentName.class);
        f.put("hitflow_ua_is_bot", AgentFunction.IsBot.class);
        f.put("hitflow_scrub_url", UrlFunctions.ScrubUrl.class);
        f.put("hitflow_source_class", UrlFunctions.SourceClass.class);
        f.put("hitflow_referrer_host", UrlFunctions.ReferrerHost.class);
        f.put("hitflow_geohash", GeohashFunction.class);
        f.put("hitflow_visitor_id", VisitorIdFunction.class);
        return f;
    }

    public static void registerAll(TableEnvironment tables) {
        all().forEach(tables::createTemporarySystemFunction);
    }
}
