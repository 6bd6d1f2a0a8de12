package dev.shopflow.admin;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call a service's {@code /admin/**} endpoints ({@code shopflow.admin.*}).
 *
 * @param enabled turn on the admin API ({@code /admin/replay}, {@code /admin/dead-letters/redrive}) and its
 *     security; off by default, so adding the library changes nothing until asked
 * @param username the HTTP Basic user name
 * @param password its password; none (the default) refuses every admin call
 * @param port the port {@code /admin/**} is served on, and nothing else (0: any free one); the application's own
 *     port then answers 404 to {@code /admin/**}. None: the application's port serves it
 * @param failedLoginsPerMinute failed logins a client address may make in a minute; after that its admin calls are
 *     refused (429) until the minute is over, without checking the password (a bcrypt hash each)
 */
@ConfigurationProperties("shopflow.admin")
record AdminProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("admin") String username,
        @Nullable String password,
        @Nullable Integer port,
        @DefaultValue("10") int failedLoginsPerMinute) {

    boolean hasPassword() {
        return password != null && !password.isBlank();
    }
}
