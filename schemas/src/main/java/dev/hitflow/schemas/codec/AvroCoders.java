package dev.hitflow.schemas.codec;

import dev.hitflow.schemas.avro.AggregateDelta;
import dev.hitflow.schemas.avro.DeadLetter;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.OpenHit;
import dev.hitflow.schemas.avro.OpenKey;
import dev.hitflow.schemas.avro.PageTransition;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.avro.VisitorContext;
import dev.hitflow.schemas.avro.VisitorSuppression;
import java.util.List;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Turns on the encoders and decoders that Avro generates into every record class ("custom coders").
 * Avro leaves them off unless the system property {@value #PROPERTY} is true, and falls back to its
 * generic paths (a schema walk, a union resolution and a map lookup per field), which were the
 * largest single cost of moving records between Flink operators and in and out of state. The bytes
 * are the same either way; only the speed differs.
 *
 * <p>Flink's Avro serializer writes through the {@link SpecificData} of each generated class, which
 * reads the property when the class is loaded and the flag at every write, so {@link #enable()} may
 * be called at any time; the launcher, the tests and the Flink deployment also set the property on
 * the JVM, for the classes a task manager loads before any Hitflow code runs.
 */
public final class AvroCoders {
    /** Avro's switch for the generated coders. */
    public static final String PROPERTY = "org.apache.avro.specific.use_custom_coders";

    /** Every record type that crosses an operator boundary or lives in state. */
    public static final List<Class<? extends SpecificRecordBase>> RECORDS =
            List.of(
                    RawHit.class,
                    EnrichedHit.class,
                    Session.class,
                    DeadLetter.class,
                    AggregateDelta.class,
                    PageTransition.class,
                    VisitorSuppression.class,
                    VisitorContext.class,
                    OpenHit.class,
                    OpenKey.class);

    private AvroCoders() {}

    /** Turns the generated coders on for this JVM (idempotent, thread-safe enough: a flag). */
    public static void enable() {
        System.setProperty(PROPERTY, "true");
        for (Class<? extends SpecificRecordBase> type : RECORDS) {
            SpecificData.getForClass(type).setCustomCoders(true);
        }
    }

    /** Whether the generated coders are on for every record type. */
    public static boolean enabled() {
        return RECORDS.stream().allMatch(t -> SpecificData.getForClass(t).useCustomCoders());
    }
}
