package dev.hitflow.jobs.maintain;

import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.udfs.identity.RightsRequest;
import java.util.Map;

/**
 * A data-subject request as the maintenance run handles it: pseudonymous, the visitor ID under
 * every live key version of the tenant (version -> ID), and for an opt-out or erasure taken here
 * the suppression ID the durable opt-out registry keeps (null for requests the stream job queued:
 * it wrote their registry row itself). From a requests file or {@code hitflow rights} (raw
 * identifier, hashed here) or from the stream job's queue table (hashed on arrival).
 *
 * @param source the door it came through, recorded in the registry
 */
public record PendingRequest(
        String requestId,
        String tenantId,
        RightsRequest.Type type,
        String idKind,
        Map<String, String> visitorIds,
        String suppressionId,
        String source) {
    /** The door of requests read from a maintenance requests file. */
    public static final String REQUESTS_FILE = "requests file";

    public PendingRequest {
        visitorIds = Map.copyOf(visitorIds);
    }

    /** A request the stream job queued (its registry row is written by the job). */
    public PendingRequest(
            String requestId,
            String tenantId,
            RightsRequest.Type type,
            String idKind,
            Map<String, String> visitorIds) {
        this(requestId, tenantId, type, idKind, visitorIds, null, "rights.requests");
    }

    public static PendingRequest of(RightsRequest request, KeyRing keys) {
        return of(request, keys, REQUESTS_FILE);
    }

    /** Hashes the raw identifier; the request keeps only the IDs. */
    public static PendingRequest of(RightsRequest request, KeyRing keys, String source) {
        return new PendingRequest(
                request.requestId(),
                request.tenantId(),
                request.type(),
                request.kind().name(),
                new java.util.LinkedHashMap<>(request.visitorIds(keys)),
                request.type() == RightsRequest.Type.ACCESS ? null : request.suppressionId(keys),
                source);
    }
}
