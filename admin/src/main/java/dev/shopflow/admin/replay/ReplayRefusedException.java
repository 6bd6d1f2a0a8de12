package dev.shopflow.admin.replay;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** A replay this service will not do now, or ever (reprocessing where effects must happen once): 409. */
class ReplayRefusedException extends ErrorResponseException {

    ReplayRefusedException(String detail) {
        super(HttpStatus.CONFLICT, InvalidReplayException.problem(HttpStatus.CONFLICT, "Replay refused", detail), null);
    }
}
