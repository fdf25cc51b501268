package dev.hitflow.udfs.sql;

import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.udfs.identity.VisitorIdHasher;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * {@code hitflow_visitor_id(tenant, kind, identifier, key_version)}: the visitor ID Hitflow gives
 * that identifier (kind USER, COOKIE or MOBILE), e.g. to find a data subject's rows. Keys come from
 * the keys file named by the job parameter {@code hitflow.keys.file} or HITFLOW_KEYS_FILE.
 */
public class VisitorIdFunction extends ScalarFunction {
    private transient KeyRing keys;
    private transient Map<String, VisitorIdHasher> hashers;

    @Override
    public void open(FunctionContext context) {
        keys = SharedEnrichers.keys(context);
        hashers = new HashMap<>();
    }

    public String eval(String tenant, String kind, String identifier, String keyVersion) {
        if (tenant == null || kind == null || identifier == null || keyVersion == null) {
            return null;
        }
        VisitorIdHasher hasher =
                hashers.computeIfAbsent(
                        tenant + '\u0000' + keyVersion,
                        k -> new VisitorIdHasher(tenant, keyVersion, keys.key(tenant, keyVersion)));
        return hasher.visitorId(IdKind.valueOf(kind), identifier);
    }
}
