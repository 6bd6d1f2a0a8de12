package dev.shopflow.admin;

import static org.springframework.security.config.Customizer.withDefaults;

import java.time.Clock;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

/**
 * With {@code shopflow.admin.enabled=true} (off by default): secures {@code /admin/**} with HTTP Basic as the one
 * configured admin, in a filter chain of its own, and leaves the rest of the application's security as it was.
 * Without {@code shopflow.admin.password} nobody is let in; a client address with too many failed logins is
 * refused for the rest of the minute ({@link FailedLogins}). With {@code shopflow.admin.port}, {@code /admin/**} is
 * served on that port only ({@link AdminPort}).
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
                .addFilterBefore(
                        new FailedLogins(properties.failedLoginsPerMinute(), Clock.systemUTC()),
                        BasicAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> requests.anyRequest().hasRole("ADMIN"))
                .httpBasic(withDefaults())
                .userDetailsService(admins(properties))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    /** {@code /admin/**} on its own port ({@code shopflow.admin.port}), see {@link AdminPort}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory")
    @ConditionalOnProperty("shopflow.admin.port")
    static class SeparatePort {

        @Bean
        AdminPort adminPort(AdminProperties properties, ConfigurableEnvironment environment) {
            return new AdminPort(properties.port(), environment);
        }

        @Bean
        FilterRegistrationBean<AdminPort> adminPortFilter(AdminPort adminPort) {
            FilterRegistrationBean<AdminPort> registration = new FilterRegistrationBean<>(adminPort);
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            return registration;
        }
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
