package dev.shopflow.admin.deadletter;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A re-drive request that cannot mean anything: 400, answered as the admin API answers every invalid request
 * (title "Invalid replay request").
 */
class InvalidRedriveException extends ErrorResponseException {

    InvalidRedriveException(String detail) {
        super(HttpStatus.BAD_REQUEST, problem(detail), null);
    }

    private static ProblemDetail problem(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle("Invalid replay request");
        return problem;
    }
}
