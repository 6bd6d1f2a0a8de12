/** What the modules' tests share: containers, relayed records, architecture rules. */
@NullMarked
package dev.shopflow.testsupport;

import org.jspecify.annotations.NullMarked;
