package dev.hitflow.jobs.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.hitflow.schemas.avro.RawHit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The boundaries of DESIGN.md, checked on the compiled classes: nothing after the privacy gate
 * touches the raw hit; stages do not import one another; udfs import nothing from jobs.
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.hitflow");
    }

    @Test
    void nothingDownstreamOfTheGateUsesTheRawHit() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.hitflow.jobs.session..",
                        "dev.hitflow.jobs.aggregate..",
                        "dev.hitflow.jobs.sink..",
                        "dev.hitflow.jobs.maintain..")
                .should()
                .dependOnClassesThat()
                .belongToAnyOf(RawHit.class)
                .because("after the privacy gate the type has no field for a raw identifier")
                .check(classes);
    }

    @Test
    void stagesDoNotImportOneAnother() {
        String[] stages = {"ingest", "gate", "session", "aggregate", "maintain", "generate"};
        for (String stage : stages) {
            String[] others =
                    java.util.Arrays.stream(stages)
                            .filter(s -> !s.equals(stage))
                            // maintenance merges and rebuilds aggregate rows with the stream's
                            // own sketch and counting code, not a second implementation of it
                            .filter(s -> !(stage.equals("maintain") && s.equals("aggregate")))
                            .map(s -> "dev.hitflow.jobs." + s + "..")
                            .toArray(String[]::new);
            noClasses()
                    .that()
                    .resideInAPackage("dev.hitflow.jobs." + stage + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(others)
                    .because(
                            "data flows cli -> pipeline -> stages; stages share only udfs and"
                                    + " schemas (maintain also uses aggregate's logic)")
                    .allowEmptyShould(true)
                    .check(classes);
        }
    }

    @Test
    void udfsAndSchemasImportNothingFromJobs() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.hitflow.udfs..", "dev.hitflow.schemas..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.hitflow.jobs..")
                .check(classes);
    }
}
