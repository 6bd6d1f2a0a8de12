package dev.shopflow.order;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** {@link AdmissionFilter} on the API's paths, first of all filters. Actuator has a port of its own. */
@Configuration(proxyBeanMethods = false)
class AdmissionConfiguration {

    @Bean
    FilterRegistrationBean<AdmissionFilter> admissionFilter(OrderServiceProperties properties, MeterRegistry meters) {
        FilterRegistrationBean<AdmissionFilter> registration =
                new FilterRegistrationBean<>(new AdmissionFilter(properties.admission(), meters));
        registration.addUrlPatterns("/orders", "/orders/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
