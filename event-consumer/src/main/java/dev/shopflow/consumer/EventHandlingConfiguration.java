package dev.shopflow.consumer;

import dev.shopflow.events.EventJson;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Decoding records into events, and handling a poll batch of them in one transaction, traced, on the listener
 * threads this configures.
 */
@Configuration(proxyBeanMethods = false)
class EventHandlingConfiguration {

    static final String LISTENER_THREAD_PREFIX = "kafka-listener-";

    /**
     * Listeners run on platform threads, also where {@code spring.threads.virtual.enabled} gives the rest of the
     * service virtual ones (Spring Boot would run listeners on them too). A listener thread lives as long as its
     * partition assignment and blocks on every batch (the database, an SMTP server), so being virtual saves
     * nothing, and each blocking read then costs a park, an unpark and a trip through the JDK's I/O poller:
     * mail-service spent a third more CPU per order on virtual ones (docs/benchmarks.md, "Listener threads").
     */
    @Bean
    @ConditionalOnMissingBean(ContainerCustomizer.class)
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> platformListenerThreads() {
        return container -> container
                .getContainerProperties()
                .setListenerTaskExecutor(new SimpleAsyncTaskExecutor(LISTENER_THREAD_PREFIX));
    }

    @Bean
    @ConditionalOnMissingBean
    EventRecords eventRecords(ObjectProvider<EventJson> json) {
        return new EventRecords(json.getIfAvailable(EventJson::new));
    }

    @Bean
    @ConditionalOnMissingBean
    EventBatches eventBatches(
            EventRecords eventRecords,
            PlatformTransactionManager transactions,
            ObjectProvider<Tracer> tracer,
            ObjectProvider<Propagator> propagator) {
        return new EventBatches(
                eventRecords,
                new TransactionTemplate(transactions),
                tracer.getIfAvailable(() -> Tracer.NOOP),
                propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    /** Events a handler writes to the outbox continue the trace of the event it handled for that order. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.shopflow.outbox.EventTraceContext")
    static class OutboxTraces {

        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        HandledEventTraces handledEventTraces() {
            return new HandledEventTraces();
        }
    }
}
