package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlaceOrderRequestTests {

    private static PlaceOrderRequest request(String customerId, PlaceOrderRequest.LineRequest... lines) {
        return new PlaceOrderRequest(customerId, "ada@example.com", List.of(lines));
    }

    private static PlaceOrderRequest.LineRequest line(String product, int quantity, String price) {
        return new PlaceOrderRequest.LineRequest(product, quantity, new BigDecimal(price));
    }

    @Test
    void fingerprintIgnoresHowAPriceIsWritten() {
        assertThat(request("c", line("A", 1, "5.0")).fingerprint())
                .isEqualTo(request("c", line("A", 1, "5.00")).fingerprint());
    }

    @Test
    void fingerprintChangesWithWhatIsOrdered() {
        String original = request("c", line("A", 1, "5.00")).fingerprint();

        assertThat(request("c", line("A", 2, "5.00")).fingerprint()).isNotEqualTo(original);
        assertThat(request("c", line("B", 1, "5.00")).fingerprint()).isNotEqualTo(original);
        assertThat(request("d", line("A", 1, "5.00")).fingerprint()).isNotEqualTo(original);
    }

    @Test
    void fingerprintCannotBeFooledByMovingCharactersBetweenFields() {
        assertThat(request("c", line("A1", 1, "5")).fingerprint())
                .isNotEqualTo(request("c", line("A", 11, "5")).fingerprint());
    }

    @Test
    void aProductOnTwoLinesIsAnError() {
        List<FieldProblem> errors = request("c", line("A", 1, "1"), line("B", 1, "1"), line("A", 2, "1"))
                .crossFieldErrors();

        assertThat(errors).extracting(FieldProblem::field).containsExactly("lines[2].productId");
    }
}
