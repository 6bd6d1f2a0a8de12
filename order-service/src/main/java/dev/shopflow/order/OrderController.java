package dev.shopflow.order;

import jakarta.validation.Valid;
import java.net.URI;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/orders", produces = MediaType.APPLICATION_JSON_VALUE)
class OrderController {

    static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private final OrderPlacement placement;

    OrderController(OrderPlacement placement) {
        this.placement = placement;
    }

    /**
     * Places an order. A retry with the same Idempotency-Key and body answers with the original order (and
     * {@value #REPLAYED_HEADER}: true) and creates nothing.
     */
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<OrderResponse> place(
            @Valid @RequestBody PlaceOrderRequest request,
            @RequestHeader(name = IdempotencyKeys.HEADER, required = false) @Nullable String idempotencyKey) {
        OrderPlacement.Placement placed = placement.place(request, IdempotencyKeys.validated(idempotencyKey));
        return ResponseEntity.created(URI.create("/orders/" + placed.order().id()))
                .header(REPLAYED_HEADER, Boolean.toString(placed.replayed()))
                .body(OrderResponse.of(placed.order()));
    }

    @GetMapping("/{id}")
    OrderResponse get(@PathVariable UUID id) {
        return OrderResponse.of(placement.find(id));
    }
}
