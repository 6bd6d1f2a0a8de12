package dev.shopflow.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogs;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class ZipkinExportSwitchTests {

    @Test
    void exportsNothingWithoutAnEndpoint() {
        assertThat(enabledWith(Map.of())).isEqualTo("false");
        assertThat(enabledWith(Map.of(ZipkinExportSwitch.ENDPOINT, ""))).isEqualTo("false");
    }

    @Test
    void exportsToAnEndpointWhoseHostResolves() {
        assertThat(enabledWith(Map.of(ZipkinExportSwitch.ENDPOINT, "http://localhost:9411/api/v2/spans")))
                .isEqualTo("true");
    }

    @Test
    void exportsNothingToAHostThatDoesNotResolve() {
        assertThat(enabledWith(Map.of(ZipkinExportSwitch.ENDPOINT, "http://zipkin.invalid:9411/api/v2/spans")))
                .isEqualTo("false");
    }

    @Test
    void leavesAnExplicitChoiceAlone() {
        assertThat(enabledWith(Map.of(
                        ZipkinExportSwitch.ENABLED, "true",
                        ZipkinExportSwitch.ENDPOINT, "http://zipkin.invalid:9411/api/v2/spans")))
                .isEqualTo("true");
    }

    @Test
    void refusesAnEndpointThatIsNoUrl() {
        assertThatIllegalStateException()
                .isThrownBy(() -> enabledWith(Map.of(ZipkinExportSwitch.ENDPOINT, "zipkin:9411 spans")))
                .withMessageContaining(ZipkinExportSwitch.ENDPOINT);
    }

    private static String enabledWith(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        new ZipkinExportSwitch(new DeferredLogs()).postProcessEnvironment(environment, new SpringApplication());
        return environment.getProperty(ZipkinExportSwitch.ENABLED);
    }
}
