@NullMarked
package dev.shopflow.stock;

import org.jspecify.annotations.NullMarked;
