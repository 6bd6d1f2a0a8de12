package dev.shopflow.admin.replay;

import dev.shopflow.admin.deadletter.DeadLetterRedrive;
import org.apache.kafka.common.KafkaException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The admin operations on this service's consumer group: replay and dead-letter re-drive. Errors are problem+json. */
@RestController
class ReplayController {

    private final GroupReplay replay;
    private final DeadLetterRedrive redrive;

    ReplayController(GroupReplay replay, DeadLetterRedrive redrive) {
        this.replay = replay;
        this.redrive = redrive;
    }

    /** {@code POST /admin/replay}: a dry run unless {@code "execute": true}. */
    @PostMapping(
            path = "/admin/replay",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ReplayPlan replay(@RequestBody ReplayRequest request) {
        return replay.run(request);
    }

    /** {@code POST /admin/dead-letters/redrive}: lists this group's pending dead letters; re-drives on execute. */
    @PostMapping(
            path = "/admin/dead-letters/redrive",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    DeadLetterRedrive.Report redrive(@RequestBody RedriveRequest request) {
        String topic = GroupReplay.required("topic", request.topic());
        replay.requireConsumed(topic);
        return redrive.run(topic, Boolean.TRUE.equals(request.execute()));
    }

    /**
     * @param topic the source topic whose dead letters are re-driven
     * @param execute false (the default): only list them
     */
    record RedriveRequest(@Nullable String topic, @Nullable Boolean execute) {}

    @ExceptionHandler(ErrorResponseException.class)
    ResponseEntity<ProblemDetail> refused(ErrorResponseException e) {
        return problem(e.getBody());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        return problem(
                InvalidReplayException.problem(
                        HttpStatus.BAD_REQUEST,
                        "Invalid replay request",
                        "The body must be a JSON object: {\"topic\": ..., \"from\": ..., \"execute\": false, \"reprocess\": false}"));
    }

    @ExceptionHandler({IllegalStateException.class, KafkaException.class})
    ResponseEntity<ProblemDetail> kafkaFailed(RuntimeException e) {
        return problem(InvalidReplayException.problem(
                HttpStatus.SERVICE_UNAVAILABLE,
                "Replay failed",
                e.getMessage() + "; look at the group's offsets with a dry run before retrying"));
    }

    private static ResponseEntity<ProblemDetail> problem(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}
