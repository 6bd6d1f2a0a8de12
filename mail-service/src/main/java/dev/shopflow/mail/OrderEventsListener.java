package dev.shopflow.mail;

import dev.shopflow.consumer.EventBatches;
import dev.shopflow.events.Topics;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Mails customers about their orders, in consumer group {@code mail-service}: a poll batch at a time, in one
 * transaction around the SMTP conversation ({@link OrderMails}).
 */
@Component
class OrderEventsListener {

    private final EventBatches batches;
    private final OrderMails mails;

    OrderEventsListener(EventBatches batches, OrderMails mails) {
        this.batches = batches;
        this.mails = mails;
    }

    @KafkaListener(topics = Topics.ORDERS, batch = "true")
    void on(List<ConsumerRecord<String, String>> records) {
        batches.handle(records, mails::send);
    }
}
