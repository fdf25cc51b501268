package dev.hitflow.udfs.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The enrichment core is plain Java: only the sql package may touch Flink. */
class UdfsArchitectureTest {
    @Test
    void theCoreImportsNoFlink() {
        noClasses()
                .that()
                .resideInAPackage("dev.hitflow.udfs..")
                .and()
                .resideOutsideOfPackage("dev.hitflow.udfs.sql..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.apache.flink..")
                .check(
                        new ClassFileImporter()
                                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                                .importPackages("dev.hitflow.udfs"));
    }
}
