package dev.shopflow.order;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** order-service with its relay, booted by {@link RelayBenchmark} against its containers; closing it stops it. */
record BenchmarkedOrderService(ConfigurableApplicationContext context, StartClock clock) implements AutoCloseable {

    /** Boots order-service; {@code appArgs} come after the benchmark's own arguments, so they can override them. */
    static BenchmarkedOrderService start(PostgreSQLContainer postgres, KafkaContainer kafka, List<String> appArgs) {
        StartClock clock = new StartClock();
        List<String> args = new ArrayList<>(List.of(
                "--spring.datasource.url=" + postgres.getJdbcUrl(),
                "--spring.datasource.username=" + postgres.getUsername(),
                "--spring.datasource.password=" + postgres.getPassword(),
                "--spring.kafka.bootstrap-servers=" + kafka.getBootstrapServers(),
                "--server.port=0",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN"));
        args.addAll(appArgs);
        SpringApplication application = new SpringApplication(OrderServiceApplication.class);
        application.addInitializers(
                context -> context.getBeanFactory().registerSingleton("relayBenchmarkStartClock", clock));
        return new BenchmarkedOrderService(application.run(args.toArray(String[]::new)), clock);
    }

    @Override
    public void close() {
        context.close();
    }

    /**
     * Notes when the application context starts its lifecycle beans: the first, so just before the relay's
     * leadership, which starts the relay right away.
     */
    static final class StartClock implements SmartLifecycle {

        private volatile long startedAt;
        private volatile boolean running;

        @Override
        public void start() {
            startedAt = System.nanoTime();
            running = true;
        }

        @Override
        public void stop() {
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return Integer.MIN_VALUE;
        }

        long startedAt() {
            return startedAt;
        }
    }
}
