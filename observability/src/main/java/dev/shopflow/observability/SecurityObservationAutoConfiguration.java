package dev.shopflow.observability;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.observation.SecurityObservationSettings;

/**
 * Where the application has Spring Security: no observation (timer, span) around each security filter and each
 * authorization of every request, only the request's own (Spring MVC's) and the logins. Spring Security observes
 * all three by default; per filter, that was a tenth of order-service's CPU per order (docs/benchmarks.md). An
 * application that defines its own {@link SecurityObservationSettings} keeps them.
 */
@AutoConfiguration
@ConditionalOnClass(SecurityObservationSettings.class)
public class SecurityObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.withDefaults()
                .shouldObserveRequests(false)
                .shouldObserveAuthorizations(false)
                .build();
    }
}
