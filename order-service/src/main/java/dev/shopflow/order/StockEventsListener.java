package dev.shopflow.order;

import dev.shopflow.events.OrderEvent;
import dev.shopflow.events.StockEvent;
import dev.shopflow.events.Topics;
import dev.shopflow.outbox.EventBatchHandler;
import dev.shopflow.outbox.EventBatches;
import dev.shopflow.outbox.PermanentEventFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Settles orders from stock-service's answers, in consumer group {@code order-service}: a poll batch at a time,
 * in one transaction ({@link EventBatches}).
 */
@Component
class StockEventsListener {

    private final EventBatches batches;
    private final OrderOutcomes outcomes;

    StockEventsListener(EventBatches batches, OrderOutcomes outcomes) {
        this.batches = batches;
        this.outcomes = outcomes;
    }

    @KafkaListener(topics = Topics.STOCK, batch = "true")
    void on(List<ConsumerRecord<String, String>> records) {
        batches.handle(records, this::handle);
    }

    private Optional<EventBatchHandler.Failure> handle(List<EventBatchHandler.Received> batch) {
        List<StockEvent> answers = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            switch (batch.get(i).event()) {
                case StockEvent answer -> answers.add(answer);
                case OrderEvent misrouted -> {
                    outcomes.applyAll(answers);
                    return Optional.of(new EventBatchHandler.Failure(
                            i,
                            new PermanentEventFailure("An order event on topic "
                                    + batch.get(i).record().topic())));
                }
            }
        }
        outcomes.applyAll(answers);
        return Optional.empty();
    }
}
