/**
 * Tools from Model Context Protocol servers: {@link dev.baton.mcp.McpToolProvider} starts or
 * connects to a server (stdio or Streamable HTTP) and offers its tools to agents as a
 * {@link dev.baton.tool.ToolProvider}, filtered, prefixed and kept up to date with the server's list.
 */
@NullMarked
package dev.baton.mcp;

import org.jspecify.annotations.NullMarked;
