package dev.hitflow.schemas.config;

import dev.hitflow.schemas.avro.Consent;
import java.io.Serializable;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * One tenant's settings, validated. Immutable and serializable so that it can travel inside Flink
 * functions and broadcast state. It holds no key material: keys live in the keys file.
 *
 * <p>{@code readers} are the BI principals who may read this tenant's rows ({@link ReaderNames}: a
 * user name, or {@code group:NAME}).
 */
public record TenantConfig(
        String id,
        String country,
        ZoneId timeZone,
        List<String> sites,
        Retention retention,
        boolean ipTruncation,
        boolean identifiedVisitors,
        Consent defaultConsent,
        SessionSettings session,
        Set<String> urlParamsKept,
        Set<String> formKeysKept,
        Set<String> propertyKeysKept,
        BotPolicy bots,
        String currentKey,
        List<String> readers)
        implements Serializable {

    public TenantConfig {
        sites = List.copyOf(sites);
        urlParamsKept = Set.copyOf(urlParamsKept);
        formKeysKept = Set.copyOf(formKeysKept);
        propertyKeysKept = Set.copyOf(propertyKeysKept);
        readers = List.copyOf(readers);
    }
}
