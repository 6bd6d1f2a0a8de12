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
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Decoding records into events, and handling a poll batch of them in one transaction, traced. */
@Configuration(proxyBeanMethods = false)
class EventHandlingConfiguration {

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
