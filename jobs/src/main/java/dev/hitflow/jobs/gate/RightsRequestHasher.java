package dev.hitflow.jobs.gate;

import dev.hitflow.schemas.avro.DeadLetter;
import dev.hitflow.schemas.avro.DeadLetterReason;
import dev.hitflow.schemas.avro.SuppressionEntry;
import dev.hitflow.schemas.avro.VisitorSuppression;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.deadletter.DeadLetters;
import dev.hitflow.udfs.identity.RightsRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-subject requests from {@code rights.requests} ({"request_id", "tenant_id", "type":
 * ACCESS|ERASURE|OPT_OUT, "kind": COOKIE|MOBILE|USER, "identifier"}) become pseudonymous {@link
 * VisitorSuppression} records, one per live key version of the tenant, under the visitor ID that
 * version gives (for the maintenance queue), and, for an opt-out or erasure, one {@link
 * SuppressionEntry} on {@link #SUPPRESSIONS} under the tenant's suppression ID (for the opt-out
 * registry and its durable table): the raw identifier goes no further than this function. A request
 * that cannot be read, or names a tenant without keys, is never dropped: it leaves on {@link
 * #REJECTED} as a dead letter (the dead-letter topic is the one place raw identifiers may rest,
 * briefly).
 */
public class RightsRequestHasher extends ProcessFunction<byte[], VisitorSuppression> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RightsRequestHasher.class);

    public static final OutputTag<DeadLetter> REJECTED =
            new OutputTag<>("rejected-rights-requests", new AvroTypeInfo<>(DeadLetter.class));

    public static final OutputTag<SuppressionEntry> SUPPRESSIONS =
            new OutputTag<>("suppressions", new AvroTypeInfo<>(SuppressionEntry.class));

    private final String keysFile;
    private final String source;

    private transient KeyRing keys;
    private transient Counter accepted;
    private transient Counter rejected;

    public RightsRequestHasher(Path keysFile, String source) {
        this.keysFile = keysFile.toString();
        this.source = source;
    }

    @Override
    public void open(OpenContext openContext) {
        keys = KeyRing.load(Path.of(keysFile));
        var metrics = getRuntimeContext().getMetricGroup().addGroup("hitflow");
        accepted = metrics.counter("rights_requests_accepted");
        rejected = metrics.counter("rights_requests_rejected");
    }

    @Override
    public void processElement(byte[] bytes, Context ctx, Collector<VisitorSuppression> out) {
        String where = "rights.requests record";
        RightsRequest request;
        try {
            request =
                    RightsRequest.parse(
                            bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8), where);
        } catch (ConfigException e) {
            reject(
                    e.getMessage().endsWith("not a JSON object")
                            ? DeadLetterReason.MALFORMED_JSON
                            : DeadLetterReason.BAD_FIELD,
                    e.getMessage(),
                    bytes,
                    null,
                    ctx);
            return;
        }
        boolean suppresses = request.type() != RightsRequest.Type.ACCESS;
        Map<String, String> ids = request.visitorIds(keys);
        if (ids.isEmpty() || (suppresses && !keys.hasSuppressionKey(request.tenantId()))) {
            // A tenant added since the start: its keys may be in the (remounted) file by now.
            keys = KeyRing.load(Path.of(keysFile));
            ids = request.visitorIds(keys);
        }
        if (ids.isEmpty() || (suppresses && !keys.hasSuppressionKey(request.tenantId()))) {
            reject(
                    DeadLetterReason.UNKNOWN_SITE,
                    where
                            + " '"
                            + request.requestId()
                            + "': tenant has no key"
                            + (ids.isEmpty() ? "" : " '" + KeyRing.SUPPRESSION + "'")
                            + " in the keys file",
                    bytes,
                    request.tenantId(),
                    ctx);
            return;
        }
        long now = System.currentTimeMillis();
        if (suppresses) {
            ctx.output(
                    SUPPRESSIONS,
                    SuppressionEntry.newBuilder()
                            .setTenantId(request.tenantId())
                            .setSuppressionId(request.suppressionId(keys))
                            .setRequestId(request.requestId())
                            .setType(request.type().name())
                            .setIdKind(request.kind().name())
                            .setSource(source)
                            .setRequestedAt(now)
                            .build());
        }
        ids.forEach(
                (version, visitorId) ->
                        out.collect(
                                VisitorSuppression.newBuilder()
                                        .setTenantId(request.tenantId())
                                        .setRequestId(request.requestId())
                                        .setType(request.type().name())
                                        .setIdKind(request.kind().name())
                                        .setKeyVersion(version)
                                        .setVisitorId(visitorId)
                                        .setRequestedAt(now)
                                        .build()));
        accepted.inc();
        LOG.info(
                "rights request '{}' ({}) of tenant '{}' taken",
                request.requestId(),
                request.type(),
                request.tenantId());
    }

    private void reject(
            DeadLetterReason reason, String detail, byte[] bytes, String tenantId, Context ctx) {
        rejected.inc();
        LOG.warn("rights request rejected: {}", detail);
        ctx.output(
                REJECTED,
                DeadLetters.of(
                        reason,
                        detail,
                        source,
                        bytes == null ? new byte[0] : bytes,
                        tenantId,
                        null,
                        System.currentTimeMillis()));
    }
}
