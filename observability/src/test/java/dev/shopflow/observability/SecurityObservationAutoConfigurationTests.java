package dev.shopflow.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.config.observation.SecurityObservationSettings;

class SecurityObservationAutoConfigurationTests {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SecurityObservationAutoConfiguration.class));

    @Test
    void observesLoginsButNotEachFilterOrAuthorizationOfARequest() {
        context.run(app -> {
            SecurityObservationSettings settings = app.getBean(SecurityObservationSettings.class);
            assertThat(settings.shouldObserveRequests()).isFalse();
            assertThat(settings.shouldObserveAuthorizations()).isFalse();
            assertThat(settings.shouldObserveAuthentications()).isTrue();
        });
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwnSettings() {
        context.withBean(SecurityObservationSettings.class, SecurityObservationSettings::noObservations)
                .run(app -> assertThat(
                                app.getBean(SecurityObservationSettings.class).shouldObserveAuthentications())
                        .isFalse());
    }

    @Test
    void isOffWithoutSpringSecurity() {
        context.withClassLoader(new FilteredClassLoader(SecurityObservationSettings.class))
                .run(app -> assertThat(app).doesNotHaveBean(SecurityObservationSettings.class));
    }
}
