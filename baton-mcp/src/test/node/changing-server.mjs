// An MCP server for baton-mcp's tests, on the official TypeScript SDK, over stdio: tools that change
// the tool list, end the process, never answer, and count their calls in a file (COUNT_FILE).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { appendFileSync } from "node:fs";
import { z } from "zod";

const server = new McpServer({ name: "changing", version: "1.0.0" });

server.registerTool("unlock", { description: "Adds the tool 'secret' to this server's tools.", inputSchema: {} }, async () => {
  server.registerTool("secret", { description: "Tells the secret.", inputSchema: {} }, async () => ({
    content: [{ type: "text", text: "the secret is 42" }],
  }));
  return { content: [{ type: "text", text: "unlocked" }] };
});

server.registerTool("crash", { description: "Ends this server's process at once, with the given exit code.",
  inputSchema: { code: z.number().int() } }, async ({ code }) => {
  process.stderr.write("crashing on purpose\n");
  process.exit(code);
});

server.registerTool("hang", { description: "Never answers.", inputSchema: {} }, () => new Promise(() => {}));

server.registerTool("record_note", { description: "Records a note; every call is counted in COUNT_FILE.",
  inputSchema: { note: z.string() } }, async ({ note }) => {
  if (process.env.COUNT_FILE) {
    appendFileSync(process.env.COUNT_FILE, note + "\n");
  }
  return { content: [{ type: "text", text: "noted: " + note }] };
});

await server.connect(new StdioServerTransport());
