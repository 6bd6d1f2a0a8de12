/** The one admin user of a shopflow service and the HTTP Basic protection of its {@code /admin/**} endpoints. */
@NullMarked
package dev.shopflow.admin;

import org.jspecify.annotations.NullMarked;
