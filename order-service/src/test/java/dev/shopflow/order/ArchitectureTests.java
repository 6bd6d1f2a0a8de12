package dev.shopflow.order;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import dev.shopflow.testsupport.ArchitectureRules;

@AnalyzeClasses(packages = "dev.shopflow.order", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

    @ArchTest
    static final ArchTests rules = ArchTests.in(ArchitectureRules.Service.class);
}
