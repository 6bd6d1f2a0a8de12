package dev.shopflow.observability;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.shopflow.testsupport.ArchitectureRules;

/** Only the component rule: nothing here touches the database or Kafka. */
@AnalyzeClasses(packages = "dev.shopflow.observability", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

    @ArchTest
    static final ArchRule componentsArePackagePrivate = ArchitectureRules.COMPONENTS_ARE_PACKAGE_PRIVATE;
}
