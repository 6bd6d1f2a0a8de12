package dev.shopflow.events;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one part of the event catalogue written by hand: which service publishes and reads which topic lives in the
 * services' listeners, which this module cannot see.
 */
final class EventServices {

    /** Who publishes and who reads which topic, as docs/consumers.md's table "Services, groups and ..." says. */
    static final List<Service> SERVICES = List.of(
            new Service(
                    "order-service",
                    Set.of(Topics.ORDERS),
                    Map.of(
                            Topics.STOCK,
                            "Settles the order: PENDING becomes CONFIRMED (StockReserved) or REJECTED (StockRejected),"
                                    + " once per event id (processed_events).")),
            new Service(
                    "stock-service",
                    Set.of(Topics.STOCK),
                    Map.of(
                            Topics.ORDERS,
                            "Reserves stock for an OrderPlaced, every line or none, once per event id"
                                    + " (processed_events), and answers on stock; decodes and skips OrderConfirmed"
                                    + " and OrderRejected.")),
            new Service(
                    "mail-service",
                    Set.of(),
                    Map.of(
                            Topics.ORDERS,
                            "Mails the customer: order received (OrderPlaced), confirmed (OrderConfirmed) or could"
                                    + " not be fulfilled (OrderRejected), once per event id (mail_log); a crash between"
                                    + " the SMTP server's acceptance and the commit mails again, with the same"
                                    + " Message-ID.")));

    /**
     * A service, whose consumer group has its name.
     *
     * @param reads each topic it reads, and what it does with the events
     */
    record Service(String name, Set<String> publishes, Map<String, String> reads) {}

    private EventServices() {}

    static List<Service> publishersOf(String topic) {
        return SERVICES.stream()
                .filter(service -> service.publishes().contains(topic))
                .toList();
    }

    static List<Service> readersOf(String topic) {
        return SERVICES.stream()
                .filter(service -> service.reads().containsKey(topic))
                .toList();
    }

    static String names(Collection<Service> services) {
        return services.isEmpty()
                ? "no service"
                : services.stream().map(Service::name).collect(Collectors.joining(" and "));
    }
}
