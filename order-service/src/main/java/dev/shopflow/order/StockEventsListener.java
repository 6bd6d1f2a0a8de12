package dev.shopflow.order;

import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.OrderRejected;
import dev.shopflow.events.StockRejected;
import dev.shopflow.events.StockReserved;
import dev.shopflow.events.Topics;
import dev.shopflow.outbox.EventRecords;
import dev.shopflow.outbox.PermanentEventFailure;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Settles orders from stock-service's answers, in consumer group {@code order-service}. */
@Component
class StockEventsListener {

    private final EventRecords events;
    private final OrderOutcomes outcomes;

    StockEventsListener(EventRecords events, OrderOutcomes outcomes) {
        this.events = events;
        this.outcomes = outcomes;
    }

    @KafkaListener(topics = Topics.STOCK)
    void on(ConsumerRecord<String, String> record) {
        switch (events.decode(record)) {
            case StockReserved reserved -> outcomes.apply(reserved);
            case StockRejected rejected -> outcomes.apply(rejected);
            case OrderPlaced misrouted -> throw misrouted(record);
            case OrderConfirmed misrouted -> throw misrouted(record);
            case OrderRejected misrouted -> throw misrouted(record);
        }
    }

    private static PermanentEventFailure misrouted(ConsumerRecord<String, String> record) {
        return new PermanentEventFailure("An order event on topic " + record.topic());
    }
}
