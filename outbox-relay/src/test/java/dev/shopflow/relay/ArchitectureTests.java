package dev.shopflow.relay;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.shopflow.testsupport.ArchitectureRules;

/**
 * The Kafka rules (ArchitectureRules.NO_DUAL_WRITE, EVENTS_ONLY_THROUGH_THE_OUTBOX) do not apply: sending what the
 * outbox holds to Kafka is this module's job, and its database work around a send records what became of rows
 * already committed (see NO_DUAL_WRITE).
 */
@AnalyzeClasses(packages = "dev.shopflow.relay", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

    @ArchTest
    static final ArchRule componentsArePackagePrivate = ArchitectureRules.COMPONENTS_ARE_PACKAGE_PRIVATE;
}
