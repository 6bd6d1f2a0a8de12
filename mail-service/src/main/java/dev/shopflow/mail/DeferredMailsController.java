package dev.shopflow.mail;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** What operators ask about deferred mails; behind the admin login like every {@code /admin} path. */
@RestController
class DeferredMailsController {

    private final DeferredMails deferredMails;

    DeferredMailsController(DeferredMails deferredMails) {
        this.deferredMails = deferredMails;
    }

    /** Mails waiting to be sent again, and those given up in the last week, oldest first (at most 100). */
    @GetMapping("/admin/mails/deferred")
    List<DeferredMails.Deferred> deferred() {
        return deferredMails.list();
    }
}
