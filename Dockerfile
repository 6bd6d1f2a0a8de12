# One Dockerfile for all services, built from source. Pick the service with --target:
#   docker build --target order-service -t shopflow/order-service .    (also stock-service, mail-service)
# docker-compose.yml builds all three. Behind a TLS-inspecting proxy, give the build its CA as the BuildKit
# secret build_ca (docker build --secret id=build_ca,src=/path/ca.pem; with Compose: SHOPFLOW_BUILD_CA=/path/ca.pem).
# See docs/operations-deploy.md.

# ---- build: every service jar, once ----
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY deploy/docker/with-build-ca.sh /usr/local/bin/with-build-ca
# Dependencies and plugins first, in a step that reruns only when a pom changes: the same build on the poms
# alone (dependency:go-offline ignores the poms' exclusions and fails). The Maven repository is a cache mount,
# so a changed pom downloads only what is new. A new module needs its pom listed here.
COPY pom.xml ./
COPY common-events/pom.xml common-events/
COPY test-support/pom.xml test-support/
COPY retention/pom.xml retention/
COPY observability/pom.xml observability/
COPY outbox/pom.xml outbox/
COPY outbox-relay/pom.xml outbox-relay/
COPY event-consumer/pom.xml event-consumer/
COPY admin/pom.xml admin/
COPY order-service/pom.xml order-service/
COPY stock-service/pom.xml stock-service/
COPY mail-service/pom.xml mail-service/
COPY e2e-tests/pom.xml e2e-tests/
ARG MODULES=order-service,stock-service,mail-service
RUN --mount=type=cache,target=/root/.m2 --mount=type=secret,id=build_ca \
    with-build-ca mvn -B -ntp -q -pl "$MODULES" -am package -DskipTests -Dspotless.check.skip=true \
        -Dspring-boot.repackage.skip=true \
    && rm -rf */target
COPY . .
RUN --mount=type=cache,target=/root/.m2 --mount=type=secret,id=build_ca \
    with-build-ca mvn -B -ntp -pl "$MODULES" -am package -DskipTests -Dspotless.check.skip=true \
    && for service in order-service stock-service mail-service; do \
         java -Djarmode=tools -jar "$service"/target/"$service"-*.jar extract --layers \
             --destination "/layers/$service" --application-filename application.jar; \
       done

# ---- runtime: what the three service images share ----
FROM eclipse-temurin:21-jre AS runtime
RUN groupadd --system --gid 10001 shopflow \
    && useradd --system --uid 10001 --gid shopflow --home-dir /app --shell /usr/sbin/nologin shopflow
WORKDIR /app
# Heap: half the container's memory limit. The other half is for what is not heap (metaspace, code cache, thread
# stacks, GC and I/O buffers, about 250-350 MB for these services), so the process stays below the limit under any
# load: at 75 % a busy order-service outgrew 1 GiB and was OOM-killed. Die (and get restarted) rather than limp on
# after an OutOfMemoryError. The API on PORT; actuator on MANAGEMENT_PORT, for probes, Prometheus and operators only;
# /admin/** on ADMIN_PORT, for operators only (never published by the gateway).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError" \
    PORT=8080 \
    MANAGEMENT_PORT=9080 \
    ADMIN_PORT=9081
EXPOSE 8080 9080 9081
# `admin METHOD PATH [JSON]`: an operator's call to /admin/** from inside the container (deploy/docker/admin.sh)
COPY deploy/docker/admin.sh /usr/local/bin/admin
# Healthy = ready to serve (readiness), not "every dependency up": a service that cannot reach Kafka still takes
# orders (the outbox keeps them), so a Kafka outage must not mark it unhealthy; /actuator/health shows that state.
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
    CMD curl -fsS -o /dev/null "http://localhost:${MANAGEMENT_PORT}/actuator/health/readiness" || exit 1
# application.jar holds only the service's classes; its manifest puts lib/ on the class path. application.jsa is the
# class data archive each service image trains at build time (deploy/docker/train-class-data.sh).
COPY deploy/docker/train-class-data.sh /usr/local/bin/train-class-data
ENTRYPOINT ["java", "-XX:SharedArchiveFile=application.jsa", "-jar", "application.jar"]

# ---- one image per service: the Spring Boot layers, least likely to change first, then the class data archive
#      (trained as root, read-only to the service's user, which runs it) ----
FROM runtime AS order-service
COPY --from=build /layers/order-service/dependencies/ ./
COPY --from=build /layers/order-service/spring-boot-loader/ ./
COPY --from=build /layers/order-service/snapshot-dependencies/ ./
COPY --from=build /layers/order-service/application/ ./
RUN train-class-data
USER 10001:10001

FROM runtime AS stock-service
COPY --from=build /layers/stock-service/dependencies/ ./
COPY --from=build /layers/stock-service/spring-boot-loader/ ./
COPY --from=build /layers/stock-service/snapshot-dependencies/ ./
COPY --from=build /layers/stock-service/application/ ./
RUN train-class-data
USER 10001:10001

FROM runtime AS mail-service
COPY --from=build /layers/mail-service/dependencies/ ./
COPY --from=build /layers/mail-service/spring-boot-loader/ ./
COPY --from=build /layers/mail-service/snapshot-dependencies/ ./
COPY --from=build /layers/mail-service/application/ ./
RUN train-class-data
USER 10001:10001
