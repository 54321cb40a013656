/** The model SPI: requests, responses, settings, usage and the provider that resolves model names. */
@NullMarked
package dev.baton.model;

import org.jspecify.annotations.NullMarked;
