package dev.hitflow.udfs.sql;

import dev.hitflow.udfs.url.ReferrerClassifier;
import dev.hitflow.udfs.url.UrlScrubber;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.table.functions.ScalarFunction;

/** The URL functions. */
public final class UrlFunctions {
    private UrlFunctions() {}

    /** {@code hitflow_scrub_url(url, 'q,page')}: the URL with only those parameters kept. */
    public static class ScrubUrl extends ScalarFunction {
        public String eval(String url, String keptParams) {
            Set<String> kept =
                    keptParams == null || keptParams.isBlank()
                            ? Set.of()
                            : Arrays.stream(keptParams.split(","))
                                    .map(String::strip)
                                    .collect(Collectors.toSet());
            return UrlScrubber.scrub(url, kept).url();
        }
    }

    /**
     * {@code hitflow_source_class(referrer, page_host)}: direct, search, social, internal, other.
     */
    public static class SourceClass extends ScalarFunction {
        public String eval(String referrer, String pageHost) {
            return ReferrerClassifier.classify(referrer, pageHost, false).sourceClass().label();
        }
    }

    /** {@code hitflow_referrer_host(referrer)}: the host only. */
    public static class ReferrerHost extends ScalarFunction {
        public String eval(String referrer) {
            return UrlScrubber.host(referrer);
        }
    }
}
