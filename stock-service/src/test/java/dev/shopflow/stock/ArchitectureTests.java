package dev.shopflow.stock;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.shopflow.testsupport.ArchitectureRules;

@AnalyzeClasses(packages = "dev.shopflow.stock", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

    @ArchTest
    static final ArchRule noDualWrite = ArchitectureRules.NO_DUAL_WRITE;

    @ArchTest
    static final ArchRule eventsOnlyThroughTheOutbox = ArchitectureRules.EVENTS_ONLY_THROUGH_THE_OUTBOX;

    @ArchTest
    static final ArchRule sendsNothingToKafka = ArchitectureRules.A_SERVICE_SENDS_NOTHING_TO_KAFKA;

    /** Stricter than ArchitectureRules.COMPONENTS_ARE_PACKAGE_PRIVATE, which it makes redundant here. */
    @ArchTest
    static final ArchRule onlyTheApplicationIsPublic = ArchitectureRules.ONLY_THE_APPLICATION_IS_PUBLIC;
}
