package dev.shopflow.events;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** common-events is shared by every service, so it must not drag a framework into them. */
class FrameworkIndependenceTests {

    @Test
    void contractsDependOnlyOnTheJdkJacksonAndJspecify() {
        var contracts = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.shopflow.events");

        classes()
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "java..",
                        "tools.jackson..",
                        "com.fasterxml.jackson.annotation..",
                        "org.jspecify..",
                        "dev.shopflow.events..")
                .check(contracts);
    }

    @ParameterizedTest(name = "{0} is not on the module's classpath")
    @ValueSource(
            strings = {
                "org.springframework.core.SpringVersion",
                "jakarta.persistence.Entity",
                "org.apache.kafka.clients.producer.Producer"
            })
    void frameworksAreNotDependencies(String className) {
        assertThatThrownBy(() -> Class.forName(className)).isInstanceOf(ClassNotFoundException.class);
    }
}
