package dev.shopflow.order;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.shopflow.order", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

    /** Package-private by default: only the entry point is public. */
    @ArchTest
    static final ArchRule onlyTheApplicationIsPublic = classes()
            .that()
            .doNotHaveSimpleName("OrderServiceApplication")
            .and()
            .areTopLevelClasses()
            .should()
            .notHaveModifier(JavaModifier.PUBLIC);

    /** Events reach Kafka only through the outbox: no direct sends, so no dual writes. */
    @ArchTest
    static final ArchRule noDirectKafkaSends = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.apache.kafka.clients.producer..", "org.springframework.kafka.core..");
}
