package dev.hitflow.jobs.maintain;

import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.udfs.identity.RightsRequest;
import java.util.Map;

/**
 * A data-subject request as the maintenance run handles it: pseudonymous, the visitor ID under
 * every live key version of the tenant (version -> ID). From a requests file (raw identifier,
 * hashed here) or from the stream job's queue table (hashed on arrival).
 */
public record PendingRequest(
        String requestId,
        String tenantId,
        RightsRequest.Type type,
        String idKind,
        Map<String, String> visitorIds) {
    public PendingRequest {
        visitorIds = Map.copyOf(visitorIds);
    }

    public static PendingRequest of(RightsRequest request, KeyRing keys) {
        return new PendingRequest(
                request.requestId(),
                request.tenantId(),
                request.type(),
                request.kind().name(),
                new java.util.LinkedHashMap<>(request.visitorIds(keys)));
    }
}
