@NullMarked
package dev.shopflow.mail;

import org.jspecify.annotations.NullMarked;
