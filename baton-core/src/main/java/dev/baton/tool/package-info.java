/** Function tools: typed arguments with generated schemas, annotated methods, call context and error wording. */
@NullMarked
package dev.baton.tool;

import org.jspecify.annotations.NullMarked;
