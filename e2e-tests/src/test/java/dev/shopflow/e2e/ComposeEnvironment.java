package dev.shopflow.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The environment a compose project starts with: a free host port for each port variable docker-compose.yml reads,
 * and the extra CA the image build trusts.
 */
final class ComposeEnvironment {

    private static final Path LOCAL_CAS = Path.of("/usr/local/share/ca-certificates");

    private ComposeEnvironment() {}

    /** The variables, with the CA bundle (if any) written under {@code logs}. */
    static Map<String, String> initial(Path logs) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String port : List.of(
                "ORDER_PORT",
                "STOCK_PORT",
                "MAIL_PORT",
                "GREENMAIL_API_PORT",
                "KAFKA_HOST_PORT",
                "KAFKA_2_HOST_PORT",
                "KAFKA_3_HOST_PORT",
                "ZIPKIN_PORT",
                "PROMETHEUS_PORT")) {
            env.put(port, Integer.toString(freePort()));
        }
        buildCa(logs).ifPresent(ca -> env.put("SHOPFLOW_BUILD_CA", ca.toString()));
        return env;
    }

    /**
     * The extra CA the image build trusts: {@code SHOPFLOW_BUILD_CA} if set; otherwise the certificates this machine
     * trusts on top of the usual ones (Debian's {@code /usr/local/share/ca-certificates}), so that a machine whose
     * own Maven works behind a TLS-inspecting proxy can also build the images.
     */
    private static Optional<Path> buildCa(Path logs) {
        String configured = System.getenv("SHOPFLOW_BUILD_CA");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        if (!Files.isDirectory(LOCAL_CAS)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(LOCAL_CAS)) {
            List<Path> certificates = files.filter(file -> file.toString().endsWith(".crt"))
                    .sorted()
                    .toList();
            if (certificates.isEmpty()) {
                return Optional.empty();
            }
            StringBuilder bundle = new StringBuilder();
            for (Path certificate : certificates) {
                bundle.append(Files.readString(certificate, StandardCharsets.US_ASCII))
                        .append('\n');
            }
            Files.createDirectories(logs);
            Path file = logs.resolve("build-ca.pem");
            Files.writeString(file, bundle, StandardCharsets.US_ASCII);
            return Optional.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
