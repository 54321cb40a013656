/** OpenAI models for Baton, built on the official openai-java SDK: Chat Completions and Responses, for OpenAI and OpenAI-compatible endpoints. */
@NullMarked
package dev.baton.openai;

import org.jspecify.annotations.NullMarked;
