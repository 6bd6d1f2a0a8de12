#!/bin/sh
# Runs a command (Maven) so that it also trusts the certificates in the optional BuildKit secret "build_ca":
# needed behind a TLS-inspecting proxy. The JDK's truststore is copied, the certificates (a PEM file with one or
# more of them) are imported into the copy with keytool, and MAVEN_OPTS points Maven at it. Nothing of this ends
# up in an image layer, so a changed or removed CA never lingers in the build cache.
set -eu
ca=/run/secrets/build_ca
if [ -s "$ca" ]; then
    dir=$(mktemp -d)
    cp "$JAVA_HOME/lib/security/cacerts" "$dir/truststore"
    awk -v dir="$dir" '/-----BEGIN CERTIFICATE-----/ { n++ } n { print > (dir "/ca-" n ".pem") }' "$ca"
    count=0
    for cert in "$dir"/ca-*.pem; do
        [ -e "$cert" ] || break
        count=$((count + 1))
        if ! out=$(keytool -importcert -noprompt -keystore "$dir/truststore" -storepass changeit \
            -alias "build-ca-$count" -file "$cert" 2>&1); then
            echo "with-build-ca: $cert: $out" >&2
            exit 1
        fi
    done
    if [ "$count" -eq 0 ]; then
        echo "with-build-ca: the build_ca secret holds no PEM certificate" >&2
        exit 1
    fi
    echo "with-build-ca: trusting $count extra certificate(s) from the build_ca secret"
    export MAVEN_OPTS="${MAVEN_OPTS:-} -Djavax.net.ssl.trustStore=$dir/truststore -Djavax.net.ssl.trustStorePassword=changeit"
fi
exec "$@"
