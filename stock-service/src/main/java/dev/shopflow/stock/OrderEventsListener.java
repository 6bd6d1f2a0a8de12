package dev.shopflow.stock;

import dev.shopflow.consumer.EventBatchHandler;
import dev.shopflow.consumer.EventBatches;
import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderEvent;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.OrderRejected;
import dev.shopflow.events.Topics;
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
 * transaction ({@link EventBatches}, which also dead-letters any event that does not belong on {@code orders}).
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
        batches.handle(records, this::reserve);
    }

    private Optional<EventBatchHandler.Failure> reserve(List<EventBatchHandler.Received> batch) {
        List<OrderPlaced> orders = new ArrayList<>();
        List<EventBatchHandler.Received> placements = new ArrayList<>();
        for (EventBatchHandler.Received received : batch) {
            switch ((OrderEvent) received.event()) {
                case OrderPlaced placed -> {
                    orders.add(placed);
                    placements.add(received);
                }
                case OrderConfirmed confirmed -> {}
                case OrderRejected rejected -> {}
            }
        }
        List<StockReservation.Outcome> outcomes = reservation.reserveAll(orders);
        if (!log.isDebugEnabled()) {
            // a line per order is for debugging: the outcome is on record as the StockReserved or StockRejected event
            return Optional.empty();
        }
        for (int i = 0; i < orders.size(); i++) {
            try (var scope = placements.get(i).logScope()) {
                log.debug(
                        "Order {} placed: {}",
                        orders.get(i).orderId(),
                        outcomes.get(i).name().toLowerCase());
            }
        }
        return Optional.empty();
    }
}
