/** What the modules' tests share: containers, relayed records, a database that is not there, architecture rules. */
@NullMarked
package dev.shopflow.testsupport;

import org.jspecify.annotations.NullMarked;
