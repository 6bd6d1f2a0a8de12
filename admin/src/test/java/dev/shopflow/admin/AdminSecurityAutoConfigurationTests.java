package dev.shopflow.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.SecurityFilterChain;

/** The admin security behaves like a Spring Boot starter: opt-in, scoped to /admin/**, the rest left as it was. */
class AdminSecurityAutoConfigurationTests {

    final WebApplicationContextRunner context = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    AdminSecurityAutoConfiguration.class,
                    SecurityAutoConfiguration.class,
                    ServletWebSecurityAutoConfiguration.class,
                    UserDetailsServiceAutoConfiguration.class));

    @Test
    void withoutOptingInTheApplicationKeepsBootsDefaultSecurityAndItsUser() {
        context.withPropertyValues("shopflow.admin.password=s3cret").run(app -> {
            assertThat(app).doesNotHaveBean(AdminSecurityAutoConfiguration.ADMIN_SECURITY);
            assertThat(app).hasSingleBean(SecurityFilterChain.class);
            assertThat(app).hasBean("defaultSecurityFilterChain");
            assertThat(app).hasSingleBean(UserDetailsService.class);
        });
    }

    @Test
    void optedInWithoutAChainOfItsOwnTheApplicationKeepsBootsDefaultChainBesideTheAdminOne() {
        context.withPropertyValues("shopflow.admin.enabled=true", "shopflow.admin.password=s3cret")
                .run(app -> {
                    assertThat(app).hasBean(AdminSecurityAutoConfiguration.ADMIN_SECURITY);
                    assertThat(app).hasBean("defaultSecurityFilterChain");
                    assertThat(app.getBeansOfType(SecurityFilterChain.class)).hasSize(2);
                    // the admin lives in the admin chain only: Boot's user is still the application's
                    assertThat(app).hasSingleBean(UserDetailsService.class);
                    assertThat(app.getBean(UserDetailsService.class).loadUserByUsername("user"))
                            .isNotNull();
                });
    }

    @Test
    void optedInTheApplicationsOwnChainsStayAndBootsDefaultDoesNotComeBack() {
        context.withUserConfiguration(OwnChain.class)
                .withPropertyValues("shopflow.admin.enabled=true")
                .run(app -> {
                    assertThat(app.getBeansOfType(SecurityFilterChain.class))
                            .containsOnlyKeys("ownChain", AdminSecurityAutoConfiguration.ADMIN_SECURITY);
                });
    }

    @Test
    void anApplicationCanReplaceTheAdminChain() {
        context.withUserConfiguration(OwnAdminChain.class)
                .withPropertyValues("shopflow.admin.enabled=true")
                .run(app -> assertThat(app.getBean(AdminSecurityAutoConfiguration.ADMIN_SECURITY))
                        .isSameAs(app.getBean(OwnAdminChain.class).chain));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnChain {

        @Bean
        SecurityFilterChain ownChain(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                    .build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnAdminChain {

        SecurityFilterChain chain;

        @Bean(AdminSecurityAutoConfiguration.ADMIN_SECURITY)
        SecurityFilterChain adminSecurityFilterChain(HttpSecurity http) throws Exception {
            chain = http.securityMatcher("/admin/**")
                    .authorizeHttpRequests(requests -> requests.anyRequest().denyAll())
                    .build();
            return chain;
        }
    }
}
