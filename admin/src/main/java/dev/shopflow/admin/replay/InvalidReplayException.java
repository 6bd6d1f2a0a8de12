package dev.shopflow.admin.replay;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** A replay request that cannot mean anything: 400. */
class InvalidReplayException extends ErrorResponseException {

    InvalidReplayException(String detail) {
        super(HttpStatus.BAD_REQUEST, problem(HttpStatus.BAD_REQUEST, "Invalid replay request", detail), null);
    }

    static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }
}
