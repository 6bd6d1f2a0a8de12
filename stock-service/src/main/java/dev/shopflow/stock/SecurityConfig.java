package dev.shopflow.stock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/** Reading stock and health is open; {@code /admin/**} needs HTTP Basic as the configured admin. */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(requests -> requests.requestMatchers(
                                HttpMethod.GET, "/products/**", "/actuator/health/**", "/actuator/info")
                        .permitAll()
                        .requestMatchers("/error")
                        .permitAll()
                        .requestMatchers("/admin/**")
                        .hasRole("ADMIN")
                        .anyRequest()
                        .denyAll())
                .httpBasic(basic -> {})
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    @Bean
    UserDetailsService admins(StockProperties properties) {
        InMemoryUserDetailsManager users = new InMemoryUserDetailsManager();
        String password = properties.admin().password();
        if (password != null && !password.isBlank()) {
            users.createUser(User.withUsername(properties.admin().username())
                    .password(PasswordEncoderFactories.createDelegatingPasswordEncoder()
                            .encode(password))
                    .roles("ADMIN")
                    .build());
        }
        return users;
    }
}
