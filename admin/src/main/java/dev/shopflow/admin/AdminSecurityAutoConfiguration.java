package dev.shopflow.admin;

import static org.springframework.security.config.Customizer.withDefaults;

import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * With {@code shopflow.admin.enabled=true} (off by default): secures {@code /admin/**} with HTTP Basic as the one
 * configured admin, in a filter chain of its own, and leaves the rest of the application's security as it was.
 * Without {@code shopflow.admin.password} nobody is let in.
 *
 * <p>Like a Spring Boot starter, it does not change what it was not asked to: the admin user lives in this chain
 * only (no {@code UserDetailsService} bean, so Boot's own user and the application's stay); an application that
 * defines its own chains keeps them, this one matching {@code /admin/**} only; and an application that defines
 * none keeps Boot's default chains: this configuration runs after Boot's web security, which registers its
 * defaults only while no chain exists, so they are in place before the admin chain is added.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"
        })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(SecurityFilterChain.class)
@ConditionalOnBooleanProperty("shopflow.admin.enabled")
@EnableConfigurationProperties(AdminProperties.class)
public class AdminSecurityAutoConfiguration {

    /** The bean name an application can take over with a chain of its own for {@code /admin/**}. */
    public static final String ADMIN_SECURITY = "adminSecurityFilterChain";

    @Bean(ADMIN_SECURITY)
    @ConditionalOnMissingBean(name = ADMIN_SECURITY)
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityFilterChain adminSecurityFilterChain(HttpSecurity http, AdminProperties properties) throws Exception {
        return http.securityMatcher("/admin/**")
                .authorizeHttpRequests(requests -> requests.anyRequest().hasRole("ADMIN"))
                .httpBasic(withDefaults())
                .userDetailsService(admins(properties))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    private static InMemoryUserDetailsManager admins(AdminProperties properties) {
        InMemoryUserDetailsManager users = new InMemoryUserDetailsManager();
        if (properties.hasPassword()) {
            users.createUser(User.withUsername(properties.username())
                    .password(PasswordEncoderFactories.createDelegatingPasswordEncoder()
                            .encode(properties.password()))
                    .roles("ADMIN")
                    .build());
        } else {
            LoggerFactory.getLogger(AdminSecurityAutoConfiguration.class)
                    .warn("No shopflow.admin.password (ADMIN_PASSWORD): every /admin call is refused");
        }
        return users;
    }
}
