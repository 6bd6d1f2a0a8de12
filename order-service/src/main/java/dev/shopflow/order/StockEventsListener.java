package dev.shopflow.order;

import dev.shopflow.consumer.EventBatchHandler;
import dev.shopflow.consumer.EventBatches;
import dev.shopflow.events.StockEvent;
import dev.shopflow.events.Topics;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Settles orders from stock-service's answers, in consumer group {@code order-service}: a poll batch at a time,
 * in one transaction ({@link EventBatches}, which also dead-letters any event that does not belong on
 * {@code stock}).
 */
@Component
class StockEventsListener {

    private final EventBatches batches;
    private final OrderSettlement settlement;

    StockEventsListener(EventBatches batches, OrderSettlement settlement) {
        this.batches = batches;
        this.settlement = settlement;
    }

    @KafkaListener(topics = Topics.STOCK, batch = "true")
    void on(List<ConsumerRecord<String, String>> records) {
        batches.handle(records, this::settle);
    }

    private Optional<EventBatchHandler.Failure> settle(List<EventBatchHandler.Received> batch) {
        settlement.settleAll(
                batch.stream().map(received -> (StockEvent) received.event()).toList());
        return Optional.empty();
    }
}
