package dev.hitflow.bench;

import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantConfigLoader;
import dev.hitflow.udfs.HitEnricher;
import dev.hitflow.udfs.agent.AgentInfo;
import dev.hitflow.udfs.agent.UserAgentClassifier;
import dev.hitflow.udfs.geo.GeoLocation;
import dev.hitflow.udfs.geo.GeoLocator;
import dev.hitflow.udfs.geo.MaxMindTestDatabases;
import dev.hitflow.udfs.identity.VisitorIdHasher;
import dev.hitflow.udfs.ip.IpAddresses;
import dev.hitflow.udfs.url.Referrer;
import dev.hitflow.udfs.url.ReferrerClassifier;
import dev.hitflow.udfs.url.ScrubbedUrl;
import dev.hitflow.udfs.url.UrlScrubber;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-hit cost of each enrichment and of the whole gate, single-threaded, so ops/s is hits/s per
 * core. GeoIP runs on the full-size GeoLite2 City (2019) beside the checkout with random public
 * IPv4 and IPv6 addresses; user agents come from a mix of 500 distinct strings (YAUAA's cache sees
 * repeats, as in real traffic). {@link #parseIp} is the baseline the others compare with.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
        value = 1,
        jvmArgs = {"-Xmx2g"})
public class EnrichmentBenchmark {
    private static final int N = 4096;
    private static final String[] BROWSERS = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/%d.1 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_%d like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; SM-S91%dB) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:%d.0) Gecko/20100101 Firefox/125.0",
    };

    private String[] ips;
    private InetAddress[] addresses;
    private String[] agents;
    private String[] urls;
    private RawHit[] hits;
    private int i;

    private GeoLocator geo;
    private UserAgentClassifier classifier;
    private UserAgentClassifier uncachedClassifier;
    private VisitorIdHasher hasher;
    private HitEnricher enricher;
    private TenantConfig tenant;

    @Setup(Level.Trial)
    public void setUp() {
        Path geolite =
                MaxMindTestDatabases.fullSizeCity()
                        .orElseThrow(
                                () -> new IllegalStateException("GeoLite2-City.mmdb not found"));
        geo = GeoLocator.open(geolite);
        classifier = new UserAgentClassifier();
        // a result cache of one entry, cleared at every new agent: every call parses
        uncachedClassifier = new UserAgentClassifier(1);
        byte[] key = "bench-key-0123456789abcdef012345".getBytes(StandardCharsets.US_ASCII);
        hasher = new VisitorIdHasher("acme", "v1", key);
        tenant =
                TenantConfigLoader.parse(
                                "tenants:\n  - id: acme\n    country: FR\n    time_zone: Europe/Paris\n"
                                        + "    sites: [shop]\n    default_consent: OPT_IN\n"
                                        + "    url_params_kept: [q]\n",
                                "bench",
                                null,
                                null)
                        .tenant("acme")
                        .orElseThrow();
        // with a suppression key, as every job has: the gate also computes the suppression ID
        enricher =
                new HitEnricher(
                        KeyRing.of(Map.of("acme", Map.of("v1", key, KeyRing.SUPPRESSION, key))),
                        geo,
                        classifier);

        SplittableRandom random = new SplittableRandom(42);
        ips = new String[N];
        addresses = new InetAddress[N];
        agents = new String[N];
        urls = new String[N];
        hits = new RawHit[N];
        for (int k = 0; k < N; k++) {
            ips[k] = random.nextInt(10) < 8 ? publicV4(random) : publicV6(random);
            addresses[k] = IpAddresses.parse(ips[k]).orElseThrow();
            int variant = random.nextInt(100); // 5 families x 100 versions = 500 distinct agents
            agents[k] = String.format(BROWSERS[random.nextInt(BROWSERS.length)], variant);
            urls[k] =
                    "https://shop.example.com/products/"
                            + random.nextInt(1000)
                            + "?q=shoes&utm_source=newsletter&email=user"
                            + k
                            + "%40mail.example&sid=9f86d081884c7d659a2feaa0c55ad015";
            hits[k] =
                    RawHit.newBuilder()
                            .setHitId("h" + k)
                            .setReceivedAt(1_773_136_800_000L + k * 1000L)
                            .setSiteId("shop")
                            .setHitType(HitType.PAGE_VIEW)
                            .setIp(ips[k])
                            .setUserAgent(agents[k])
                            .setCookieId("cookie-" + random.nextInt(100_000))
                            .setConsent(random.nextBoolean() ? Consent.OPT_IN : Consent.EXEMPT)
                            .setUrl(urls[k])
                            .setReferrer("https://www.google.com/search?q=x")
                            .build();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        geo.close();
    }

    private static String publicV4(SplittableRandom r) {
        int a;
        do {
            a = 1 + r.nextInt(223);
        } while (a == 10 || a == 127 || a == 100 || a == 169 || a == 172 || a == 192);
        return a + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
    }

    private static String publicV6(SplittableRandom r) {
        return String.format(
                "2%03x:%x:%x::%x",
                r.nextInt(0x1000), r.nextInt(0x10000), r.nextInt(0x10000), 1 + r.nextInt(0xfff));
    }

    private int next() {
        i = (i + 1) & (N - 1);
        return i;
    }

    @Benchmark
    public Optional<InetAddress> parseIp() {
        return IpAddresses.parse(ips[next()]);
    }

    @Benchmark
    public InetAddress truncateIp() {
        return IpAddresses.truncate(addresses[next()]);
    }

    @Benchmark
    public GeoLocation geoLocate() {
        return geo.locate(addresses[next()]);
    }

    /** A lookup that misses the block cache: the database decodes the City record. */
    @Benchmark
    public GeoLocation geoLocateUncached() {
        return geo.locateUncached(addresses[next()]);
    }

    /** A user agent the result cache does not hold: YAUAA parses it. */
    @Benchmark
    public AgentInfo userAgentUncached() {
        return uncachedClassifier.classify(agents[next()]);
    }

    @Benchmark
    public AgentInfo userAgent() {
        return classifier.classify(agents[next()]);
    }

    @Benchmark
    public String visitorId() {
        return hasher.visitorId(IdKind.COOKIE, "cookie-" + next());
    }

    @Benchmark
    public ScrubbedUrl scrubUrl() {
        return UrlScrubber.scrub(urls[next()], Set.of("q"));
    }

    @Benchmark
    public Referrer referrer() {
        return ReferrerClassifier.classify(
                "https://www.google.com/search?q=" + next(), "shop.example.com", false);
    }

    @Benchmark
    public EnrichedHit wholeGate() {
        return enricher.enrich(hits[next()], tenant);
    }
}
