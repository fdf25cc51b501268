package dev.hitflow.bench;

import dev.hitflow.jobs.session.OpenHits;
import dev.hitflow.jobs.session.SessionBuilder;
import dev.hitflow.jobs.session.SessionRules;
import dev.hitflow.jobs.session.SessionStateCodec;
import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.avro.VisitorContext;
import dev.hitflow.schemas.codec.AvroCoders;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sessionizer's own work, without Flink's state backend around it: what a hit costs on arrival
 * (compact form, encoded for state), when its session closes (decoded, expanded), and what closing
 * a session of five hits costs (split by the session rules, the Session record built). The state
 * backend's share is in BENCHMARKS.md's end-to-end sessionizer variants (heap and RocksDB).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
        value = 1,
        jvmArgs = {"-Xmx1g"})
public class SessionizerBenchmark {
    private static final long T0 = 1_774_598_400_000L;
    private static final int N = 1024;

    private final SessionStateCodec codec = new SessionStateCodec();
    private final SessionRules rules = new SessionRules(30 * 60_000L, 24 * 3_600_000L);
    private final ZoneId paris = ZoneId.of("Europe/Paris");
    private EnrichedHit[] hits;
    private byte[][] encoded;
    private VisitorContext context;
    private List<EnrichedHit> session;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        AvroCoders.enable();
        hits = new EnrichedHit[N];
        encoded = new byte[N][];
        for (int k = 0; k < N; k++) {
            hits[k] = hit("h-42-" + (1_000_000 + k), T0 + 45_000L * k, k % 7);
        }
        context = OpenHits.contextOf(hits[0]);
        for (int k = 0; k < N; k++) {
            encoded[k] = codec.encode(OpenHits.compact(hits[k], context));
        }
        session = new ArrayList<>(List.of(hits[4], hits[0], hits[3], hits[1], hits[2]));
    }

    private static EnrichedHit hit(String id, long at, int page) {
        EnrichedHit h = new EnrichedHit();
        h.setTenantId("acme");
        h.setSiteId("acme-shop");
        h.setHitId(id);
        h.setReceivedAt(at);
        h.setDay(20_539);
        h.setHour(10);
        h.setTimeZone("Europe/Paris");
        h.setHitType(page % 3 == 2 ? HitType.HEARTBEAT : HitType.PAGE_VIEW);
        h.setVisitorId("5c7e72884b406a2b3054b98ce76a2078");
        h.setKeyVersion("v1");
        h.setIdKind(IdKind.COOKIE);
        h.setConsent(Consent.OPT_IN);
        h.setPage("/products/category-" + page);
        h.setUrl("https://acme-shop.example.com/products/category-" + page + "?q=shoes");
        h.setReferrerHost("www.google.com");
        h.setSourceClass("search");
        h.setCountry("FR");
        h.setRegion("IDF");
        h.setCity("Paris");
        h.setDeviceClass("Phone");
        h.setOsName("Android");
        h.setOsVersion("14");
        h.setAgentName("Chrome");
        h.setAgentVersion("131");
        h.setInactivityTimeoutMs(1_800_000L);
        h.setMaxSessionMs(86_400_000L);
        h.setDedupeWindowMs(86_400_000L);
        h.setMaxHitsPerVisitorDay(10_000);
        return h;
    }

    private int next() {
        i = (i + 1) & (N - 1);
        return i;
    }

    /** A hit arrives: its compact form, encoded as the open-hits state holds it. */
    @Benchmark
    public byte[] arrival() {
        EnrichedHit h = hits[next()];
        return codec.encode(OpenHits.compact(h, context));
    }

    /** Its session closes: decoded from state and expanded back into the whole hit. */
    @Benchmark
    public EnrichedHit close() {
        int k = next();
        return OpenHits.expand(
                "acme-shop",
                "5c7e72884b406a2b3054b98ce76a2078",
                hits[k].getHitId(),
                codec.decodeHit(encoded[k]),
                context);
    }

    /** A session of five hits, given out of order: split by the rules, its record built. */
    @Benchmark
    public Session sessionOfFive() {
        List<List<EnrichedHit>> split = rules.split(session);
        return SessionBuilder.build(split.get(0), paris);
    }
}
