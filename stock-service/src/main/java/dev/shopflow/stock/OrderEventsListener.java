package dev.shopflow.stock;

import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.OrderRejected;
import dev.shopflow.events.StockRejected;
import dev.shopflow.events.StockReserved;
import dev.shopflow.events.Topics;
import dev.shopflow.outbox.EventRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Reserves stock for every placed order, in consumer group {@code stock-service}. */
@Component
class OrderEventsListener {

    private static final Logger log = LoggerFactory.getLogger(OrderEventsListener.class);

    private final EventRecords events;
    private final StockReservation reservation;

    OrderEventsListener(EventRecords events, StockReservation reservation) {
        this.events = events;
        this.reservation = reservation;
    }

    @KafkaListener(topics = Topics.ORDERS)
    void on(ConsumerRecord<String, String> record) {
        switch (events.decode(record)) {
            case OrderPlaced placed ->
                log.info(
                        "Order {} placed: {}",
                        placed.orderId(),
                        reservation.reserve(placed).name().toLowerCase());
            case OrderConfirmed confirmed -> {}
            case OrderRejected rejected -> {}
            case StockReserved misrouted -> throw new IllegalStateException("StockReserved on " + record.topic());
            case StockRejected misrouted -> throw new IllegalStateException("StockRejected on " + record.topic());
        }
    }
}
