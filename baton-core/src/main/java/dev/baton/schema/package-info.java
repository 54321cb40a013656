/**
 * Strict JSON schemas generated from Java types, and binding of model-written JSON arguments
 * back to those types with errors a model can act on.
 */
@NullMarked
package dev.baton.schema;

import org.jspecify.annotations.NullMarked;
