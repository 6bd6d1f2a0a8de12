package dev.shopflow.order;

import java.util.List;

/** A client mistake found outside Bean Validation; answered with 400 and the offending fields. */
class InvalidRequestException extends RuntimeException {

    private final List<FieldProblem> errors;

    InvalidRequestException(List<FieldProblem> errors) {
        super(errors.toString());
        this.errors = List.copyOf(errors);
    }

    List<FieldProblem> errors() {
        return errors;
    }
}
