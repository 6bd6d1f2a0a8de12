package dev.shopflow.stock;

import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.OrderRejected;
import dev.shopflow.events.StockRejected;
import dev.shopflow.events.StockReserved;
import dev.shopflow.events.Topics;
import dev.shopflow.outbox.EventBatchHandler;
import dev.shopflow.outbox.EventBatches;
import dev.shopflow.outbox.PermanentEventFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Reserves stock for every placed order, in consumer group {@code stock-service}: a poll batch at a time, in one
 * transaction ({@link EventBatches}).
 */
@Component
class OrderEventsListener {

    private static final Logger log = LoggerFactory.getLogger(OrderEventsListener.class);

    private final EventBatches batches;
    private final StockReservation reservation;

    OrderEventsListener(EventBatches batches, StockReservation reservation) {
        this.batches = batches;
        this.reservation = reservation;
    }

    @KafkaListener(topics = Topics.ORDERS, batch = "true")
    void on(List<ConsumerRecord<String, String>> records) {
        batches.handle(records, this::handle);
    }

    private Optional<EventBatchHandler.Failure> handle(List<EventBatchHandler.Received> batch) {
        List<OrderPlaced> placed = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            switch (batch.get(i).event()) {
                case OrderPlaced order -> placed.add(order);
                case OrderConfirmed confirmed -> {}
                case OrderRejected rejected -> {}
                case StockReserved misrouted -> {
                    return misrouted(batch, i, placed);
                }
                case StockRejected misrouted -> {
                    return misrouted(batch, i, placed);
                }
            }
        }
        reserve(placed);
        return Optional.empty();
    }

    /** Reserves for the orders before a stock event on the orders topic, then fails that event. */
    private Optional<EventBatchHandler.Failure> misrouted(
            List<EventBatchHandler.Received> batch, int index, List<OrderPlaced> before) {
        reserve(before);
        return Optional.of(new EventBatchHandler.Failure(
                index,
                new PermanentEventFailure(
                        "A stock event on topic " + batch.get(index).record().topic())));
    }

    private void reserve(List<OrderPlaced> orders) {
        List<StockReservation.Outcome> outcomes = reservation.reserveAll(orders);
        for (int i = 0; i < orders.size(); i++) {
            log.info(
                    "Order {} placed: {}",
                    orders.get(i).orderId(),
                    outcomes.get(i).name().toLowerCase());
        }
    }
}
