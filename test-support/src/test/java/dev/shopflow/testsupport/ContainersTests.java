package dev.shopflow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/** The tests run the images production runs: every tag here is the one docker-compose.yml uses. */
class ContainersTests {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {Containers.POSTGRES_IMAGE, Containers.KAFKA_IMAGE, Containers.GREENMAIL_IMAGE})
    void theTagIsTheOneDockerComposeRuns(String image) throws Exception {
        String repository = image.substring(0, image.lastIndexOf(':'));

        assertThat(composeImages())
                .filteredOn(composed -> composed.startsWith(repository + ":"))
                .as("docker-compose.yml's %s services", repository)
                .isNotEmpty()
                .containsOnly(image);
    }

    @SuppressWarnings("unchecked")
    private static List<String> composeImages() throws Exception {
        Path compose = Path.of("..", "docker-compose.yml");
        try (Reader reader = Files.newBufferedReader(compose)) {
            Map<String, Object> file = new Yaml().load(reader);
            Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) file.get("services");
            return services.values().stream()
                    .map(service -> (String) service.get("image"))
                    .filter(Objects::nonNull)
                    .toList();
        }
    }
}
