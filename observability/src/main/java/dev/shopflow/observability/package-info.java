/**
 * Tracing for a shopflow service: Spring Boot's Micrometer Tracing on OpenTelemetry, with span export switched
 * on only where it can arrive ({@link dev.shopflow.observability.ZipkinExportSwitch}); and the settings every
 * service shares, actuator and tracing among them ({@link dev.shopflow.observability.ServiceDefaults}).
 */
@NullMarked
package dev.shopflow.observability;

import org.jspecify.annotations.NullMarked;
