package dev.shopflow.consumer;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.shopflow.testsupport.ArchitectureRules;

@AnalyzeClasses(packages = "dev.shopflow.consumer", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

    @ArchTest
    static final ArchRule noDualWrite = ArchitectureRules.NO_DUAL_WRITE;

    @ArchTest
    static final ArchRule eventsOnlyThroughTheOutbox = ArchitectureRules.EVENTS_ONLY_THROUGH_THE_OUTBOX;

    @ArchTest
    static final ArchRule componentsArePackagePrivate = ArchitectureRules.COMPONENTS_ARE_PACKAGE_PRIVATE;
}
