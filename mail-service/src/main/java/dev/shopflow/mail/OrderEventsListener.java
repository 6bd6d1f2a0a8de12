package dev.shopflow.mail;

import dev.shopflow.events.OrderEvent;
import dev.shopflow.events.StockEvent;
import dev.shopflow.events.Topics;
import dev.shopflow.outbox.EventRecords;
import dev.shopflow.outbox.PermanentEventFailure;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Mails customers about their orders, in consumer group {@code mail-service}. */
@Component
class OrderEventsListener {

    private final EventRecords events;
    private final OrderMails mails;

    OrderEventsListener(EventRecords events, OrderMails mails) {
        this.events = events;
        this.mails = mails;
    }

    @KafkaListener(topics = Topics.ORDERS)
    void on(ConsumerRecord<String, String> record) {
        switch (events.decode(record)) {
            case OrderEvent order -> mails.send(order, EventSource.of(record));
            case StockEvent misrouted -> throw new PermanentEventFailure("A stock event on topic " + record.topic());
        }
    }
}
