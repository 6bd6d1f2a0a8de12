#!/bin/sh
# Class data sharing for a fast start: run once at image build time, this starts the service in /app up to the
# end of its context refresh and writes every class it loaded, already parsed and verified, to application.jsa.
# The image's entry point maps that archive (-XX:SharedArchiveFile), so a started, restarted or scaled-out
# container skips most class loading: about a third less CPU to start (docs/benchmarks.md, "Start-up").
#
# The training start must not need anything outside the build: no database (Flyway and the libraries' schema
# migrations off, the JDBC dialect named in application.yml), no Kafka (no topic creation; the Kafka clients and
# the relay only connect once the context has started, after this run has exited). An archive that does not match
# the JVM or the class path at run time is ignored with a warning, never wrong: the JVM then loads classes as usual.
set -eu
java -XX:ArchiveClassesAtExit=application.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
    -Dspring.context.exit=onRefresh \
    -Dspring.flyway.enabled=false \
    -Dshopflow.outbox.migrate-schema=false \
    -Dshopflow.dedupe.migrate-schema=false \
    -Dspring.kafka.admin.auto-create=false \
    -jar application.jar > /tmp/training.log 2>&1 || { cat /tmp/training.log >&2; exit 1; }
test -s application.jsa || { cat /tmp/training.log >&2; echo "train-class-data: no archive written" >&2; exit 1; }
rm -f /tmp/training.log
