package dev.shopflow.admin;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call a service's {@code /admin/**} endpoints ({@code shopflow.admin.*}).
 *
 * @param username the HTTP Basic user name
 * @param password its password; none (the default) refuses every admin call
 */
@ConfigurationProperties("shopflow.admin")
record AdminProperties(
        @DefaultValue("admin") String username, @Nullable String password) {

    boolean enabled() {
        return password != null && !password.isBlank();
    }
}
