package dev.shopflow.testsupport;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.Set;

/**
 * The architecture every module keeps, written once; each module's {@code ArchitectureTests} applies the rules
 * that concern it to its own classes. Types are named, not imported, so a module is checked without having Spring
 * Kafka or Spring's transactions on its class path.
 *
 * <p>The rules see one class at a time: a transactional class that calls a bean which sends to Kafka is not
 * caught. They stop the obvious way of breaking the design, which is the one that happens.
 */
public final class ArchitectureRules {

    private static final List<String> TRANSACTIONAL =
            List.of("org.springframework.transaction.annotation.Transactional", "jakarta.transaction.Transactional");
    private static final String TRANSACTION_OPERATIONS =
            "org.springframework.transaction.support.TransactionOperations";
    /** The methods that run work in the transaction; building one (withoutTransaction) runs nothing. */
    private static final Set<String> TRANSACTION_RUNS = Set.of("execute", "executeWithoutResult");

    private static final String DOMAIN_EVENT = "dev.shopflow.events.DomainEvent";
    private static final String COMPONENT = "org.springframework.stereotype.Component";
    private static final String SPRING_BOOT_APPLICATION =
            "org.springframework.boot.autoconfigure.SpringBootApplication";
    private static final String AUTO_CONFIGURATION = "org.springframework.boot.autoconfigure.AutoConfiguration";

    private static final DescribedPredicate<JavaClass> SEND_TO_KAFKA = assignableTo(
                    "org.apache.kafka.clients.producer.Producer")
            .or(assignableTo("org.springframework.kafka.core.KafkaOperations"))
            .or(assignableTo("org.springframework.kafka.core.ProducerFactory"))
            .as("send to Kafka (a Producer, a KafkaOperations such as KafkaTemplate, a ProducerFactory)");

    private static final DescribedPredicate<JavaClass> RUN_IN_A_DATABASE_TRANSACTION = DescribedPredicate.describe(
            "run in a database transaction (@Transactional, or work passed to a TransactionTemplate)",
            ArchitectureRules::runsInATransaction);

    private static final DescribedPredicate<JavaClass> HANDLE_DOMAIN_EVENTS = DescribedPredicate.describe(
            "handle domain events",
            type -> type.getDirectDependenciesFromSelf().stream()
                    .anyMatch(dependency -> dependency.getTargetClass().isAssignableTo(DOMAIN_EVENT)));

    /**
     * No dual write: a class whose work runs in a database transaction does not send to Kafka, because a send
     * cannot be rolled back with the transaction, nor the commit undone when the send fails; either way the
     * database and Kafka disagree. What must reach Kafka is written to the outbox in that transaction instead.
     *
     * <p>outbox-relay does not apply this rule: sending to Kafka is its job, and the database work it does around
     * a send (parking a record Kafka refused, its leader lock, Debezium's offsets) records what became of rows
     * already committed, so a failed send leaves nothing to undo; the relay sends again from the stored position.
     */
    public static final ArchRule NO_DUAL_WRITE = noClasses()
            .that(RUN_IN_A_DATABASE_TRANSACTION)
            .should()
            .dependOnClassesThat(SEND_TO_KAFKA)
            .because("a send cannot take part in the database transaction (dual write): write to the outbox instead")
            .allowEmptyShould(true);

    /**
     * Events only through the outbox: no class that handles domain events sends to Kafka. An event is published by
     * writing it to the outbox (OutboxWriter) in the transaction that made it true, and the relay sends it. The
     * dead-letter handling in event-consumer and admin re-sends records as bytes, without a domain event.
     */
    public static final ArchRule EVENTS_ONLY_THROUGH_THE_OUTBOX = noClasses()
            .that(HANDLE_DOMAIN_EVENTS)
            .should()
            .dependOnClassesThat(SEND_TO_KAFKA)
            .because("events are published through the outbox, which the relay sends to Kafka")
            .allowEmptyShould(true);

    /**
     * A service sends nothing to Kafka itself: its events go through the outbox, and its dead letters are written
     * by event-consumer's error handler. Stricter than {@link #EVENTS_ONLY_THROUGH_THE_OUTBOX}, for the services.
     */
    public static final ArchRule A_SERVICE_SENDS_NOTHING_TO_KAFKA = noClasses()
            .should()
            .dependOnClassesThat(SEND_TO_KAFKA)
            .because("a service's events go through the outbox, which the relay sends to Kafka")
            .allowEmptyShould(true);

    /**
     * Spring components are package-private: the container creates them, so nobody else needs to. The exceptions
     * are the application class and auto-configurations, which another module names (to run after one, to exclude
     * one) and which Spring Boot loads by name.
     */
    public static final ArchRule COMPONENTS_ARE_PACKAGE_PRIVATE = classes()
            .that()
            .areMetaAnnotatedWith(COMPONENT)
            .and()
            .areNotMetaAnnotatedWith(SPRING_BOOT_APPLICATION)
            .and()
            .areNotMetaAnnotatedWith(AUTO_CONFIGURATION)
            .should()
            .notBePublic()
            .because("only what another module must use is public")
            .allowEmptyShould(true);

    /**
     * In a service only the application class is public: no other module uses a service's code (they talk over
     * HTTP and Kafka), so nothing else needs to be.
     */
    public static final ArchRule ONLY_THE_APPLICATION_IS_PUBLIC = classes()
            .that()
            .areTopLevelClasses()
            .and()
            .areNotMetaAnnotatedWith(SPRING_BOOT_APPLICATION)
            .should()
            .notBePublic()
            .because("no other module uses a service's code");

    private ArchitectureRules() {}

    private static boolean runsInATransaction(JavaClass type) {
        boolean annotated = TRANSACTIONAL.stream()
                .anyMatch(annotation -> type.isMetaAnnotatedWith(annotation)
                        || type.getMethods().stream().anyMatch(method -> method.isMetaAnnotatedWith(annotation)));
        return annotated
                || type.getMethodCallsFromSelf().stream()
                        .anyMatch(call -> TRANSACTION_RUNS.contains(call.getName())
                                && call.getTargetOwner().isAssignableTo(TRANSACTION_OPERATIONS));
    }

    /** What every service is held to: {@code @ArchTest static final ArchTests rules = ArchTests.in(Service.class)}. */
    public static final class Service {

        @ArchTest
        public static final ArchRule noDualWrite = NO_DUAL_WRITE;

        @ArchTest
        public static final ArchRule eventsOnlyThroughTheOutbox = EVENTS_ONLY_THROUGH_THE_OUTBOX;

        @ArchTest
        public static final ArchRule sendsNothingToKafka = A_SERVICE_SENDS_NOTHING_TO_KAFKA;

        /** Stricter than COMPONENTS_ARE_PACKAGE_PRIVATE, which it makes redundant in a service. */
        @ArchTest
        public static final ArchRule onlyTheApplicationIsPublic = ONLY_THE_APPLICATION_IS_PUBLIC;

        private Service() {}
    }

    /** What a library that may run in a service's transactions is held to (not the relay, whose job is sending). */
    public static final class Library {

        @ArchTest
        public static final ArchRule noDualWrite = NO_DUAL_WRITE;

        @ArchTest
        public static final ArchRule eventsOnlyThroughTheOutbox = EVENTS_ONLY_THROUGH_THE_OUTBOX;

        @ArchTest
        public static final ArchRule componentsArePackagePrivate = COMPONENTS_ARE_PACKAGE_PRIVATE;

        private Library() {}
    }
}
