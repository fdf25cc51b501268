package dev.hitflow.jobs.aggregate;

import java.util.List;

/** Flink SQL views that sum the additive aggregate rows and union their visitor sketches. */
public final class AggregateViews {
    public static final String UNION_ESTIMATE = "hll_union_estimate";

    private AggregateViews() {}

    public static List<String> createViewStatements() {
        String traffic =
                "SUM(hits) AS hits, SUM(page_views) AS page_views, SUM(sessions) AS sessions,"
                        + " SUM(bounces) AS bounces, SUM(session_duration_ms) AS session_duration_ms,"
                        + " SUM(events) AS events, SUM(cart_adds) AS cart_adds, SUM(purchases) AS"
                        + " purchases, SUM(capped_hits) AS capped_hits, "
                        + UNION_ESTIMATE
                        + "(visitors) AS visitors";
        return List.of(
                "CREATE TEMPORARY VIEW traffic_daily_totals AS SELECT tenant_id, site_id, `day`,"
                        + " time_zone, "
                        + traffic
                        + " FROM traffic_daily GROUP BY tenant_id, site_id, `day`, time_zone",
                "CREATE TEMPORARY VIEW traffic_hourly_totals AS SELECT tenant_id, site_id, `day`,"
                        + " `hour`, time_zone, "
                        + traffic
                        + " FROM traffic_hourly GROUP BY tenant_id, site_id, `day`, `hour`, time_zone",
                "CREATE TEMPORARY VIEW page_transitions_totals AS SELECT tenant_id, site_id, `day`,"
                        + " from_page, to_page, SUM(transitions) AS transitions FROM page_transitions"
                        + " GROUP BY tenant_id, site_id, `day`, from_page, to_page");
    }
}
