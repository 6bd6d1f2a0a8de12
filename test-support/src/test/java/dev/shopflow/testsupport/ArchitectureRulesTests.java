package dev.shopflow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * Each rule fails on a class that breaks it and passes on one that keeps it, so a module's ArchitectureTests
 * passing means something. The classes are in the fixtures package of this module's tests.
 */
class ArchitectureRulesTests {

    private static final String FIXTURES = "dev.shopflow.testsupport.fixtures.";

    @Test
    void noDualWriteCatchesASendInATransactionalMethodOrATransactionTemplate() {
        assertThat(violations(ArchitectureRules.NO_DUAL_WRITE, "TransactionalKafkaSend"))
                .contains("TransactionalKafkaSend")
                .contains("KafkaTemplate");
        assertThat(violations(ArchitectureRules.NO_DUAL_WRITE, "TemplateTransactionKafkaSend"))
                .contains("TemplateTransactionKafkaSend")
                .contains("Producer");
        assertThat(violations(
                        ArchitectureRules.NO_DUAL_WRITE,
                        "TransactionalWithoutKafka",
                        "EventSentToKafka",
                        "BytesResentToKafka",
                        "TransactionsWiredNextToAProducer"))
                .as("a transaction without a send, sends outside a transaction, and wiring that runs neither")
                .isEmpty();
    }

    @Test
    void eventsOnlyThroughTheOutboxCatchesAnEventSentToKafka() {
        assertThat(violations(ArchitectureRules.EVENTS_ONLY_THROUGH_THE_OUTBOX, "EventSentToKafka"))
                .contains("EventSentToKafka")
                .contains("KafkaTemplate");
        assertThat(violations(
                        ArchitectureRules.EVENTS_ONLY_THROUGH_THE_OUTBOX,
                        "TransactionalWithoutKafka",
                        "BytesResentToKafka"))
                .as("an event written to the outbox, and bytes re-sent without an event")
                .isEmpty();
    }

    @Test
    void aServiceSendsNothingToKafkaCatchesEvenASendWithoutAnEvent() {
        assertThat(violations(ArchitectureRules.A_SERVICE_SENDS_NOTHING_TO_KAFKA, "BytesResentToKafka"))
                .contains("BytesResentToKafka");
        assertThat(violations(ArchitectureRules.A_SERVICE_SENDS_NOTHING_TO_KAFKA, "TransactionalWithoutKafka"))
                .isEmpty();
    }

    @Test
    void componentsArePackagePrivateCatchesAPublicComponentButNotTheApplicationOrAnAutoConfiguration() {
        assertThat(violations(ArchitectureRules.COMPONENTS_ARE_PACKAGE_PRIVATE, "PublicComponent"))
                .contains("PublicComponent");
        assertThat(violations(
                        ArchitectureRules.COMPONENTS_ARE_PACKAGE_PRIVATE,
                        "PackagePrivateComponent",
                        "PublicAutoConfiguration",
                        "FixtureApplication"))
                .isEmpty();
    }

    @Test
    void onlyTheApplicationIsPublicCatchesAnyOtherPublicClass() {
        assertThat(violations(ArchitectureRules.ONLY_THE_APPLICATION_IS_PUBLIC, "PublicAutoConfiguration"))
                .contains("PublicAutoConfiguration");
        assertThat(violations(
                        ArchitectureRules.ONLY_THE_APPLICATION_IS_PUBLIC,
                        "FixtureApplication",
                        "PackagePrivateComponent"))
                .isEmpty();
    }

    /** The rule's violations among the named fixtures, one per line; empty when they keep it. */
    private static String violations(ArchRule rule, String... fixtures) {
        JavaClasses classes = new ClassFileImporter().importClasses(load(fixtures));
        EvaluationResult result = rule.evaluate(classes);
        return String.join("\n", result.getFailureReport().getDetails());
    }

    private static Class<?>[] load(String... fixtures) {
        Class<?>[] classes = new Class<?>[fixtures.length];
        for (int i = 0; i < fixtures.length; i++) {
            try {
                classes[i] = Class.forName(FIXTURES + fixtures[i]);
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException("No fixture " + fixtures[i], e);
            }
        }
        return classes;
    }
}
