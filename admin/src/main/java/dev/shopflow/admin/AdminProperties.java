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
 */
@ConfigurationProperties("shopflow.admin")
record AdminProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("admin") String username,
        @Nullable String password) {

    boolean hasPassword() {
        return password != null && !password.isBlank();
    }
}
