package dev.shopflow.mail;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Where an event was read: what a replay's offset ranges are matched against. */
record EventSource(String topic, int partition, long offset) {

    static EventSource of(ConsumerRecord<?, ?> record) {
        return new EventSource(record.topic(), record.partition(), record.offset());
    }
}
