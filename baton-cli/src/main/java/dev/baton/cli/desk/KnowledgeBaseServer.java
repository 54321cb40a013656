package dev.baton.cli.desk;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;

/**
 * The support desk's help center: an MCP server, written with the official MCP Java SDK, that
 * serves one tool over stdio, {@value #TOOL}, a search of a few help-center articles (single
 * sign-on with Okta or Microsoft Entra ID, API keys, webhooks, data exports, seats, two-factor
 * authentication). The support desk starts it as a child process for its technical specialist;
 * any MCP client can start it the same way:
 *
 * <pre>{@code
 * java -cp baton.jar dev.baton.cli.desk.KnowledgeBaseServer
 * }</pre>
 *
 * <p>A search scores each article by the words of the query it shares (in its title or keywords 3
 * points a word, in its text 1) and returns the best one and up to {@value #MAX_RESULTS} in all
 * that come close to it (see {@link #search}). The result's text gives the best article with its steps and names the
 * others; its structured content ({@code query}, {@code articles}) has every article found, with
 * its steps. A query that matches nothing gets an answer that says so and what the help center
 * covers; a blank query is an error result. Standard output carries only the protocol's messages;
 * logs go to standard error. The server ends when its client closes its standard input.
 */
final class KnowledgeBaseServer {
    /** The name of the search tool. */
    static final String TOOL = "search_help_articles";
    /** At most this many articles in a result. */
    static final int MAX_RESULTS = 3;
    /** The longest query taken, in characters. */
    static final int MAX_QUERY = 500;

    /**
     * What the tool tells clients (and their models) it is for: the words customers use for setup
     * questions, and none of login trouble, outages or errors ("API", "sign-in", "service"), so that a
     * model that picks tools by shared words (the offline model) does not search the help center in
     * the technical specialist's other conversations.
     */
    static final String DESCRIPTION = "Search the help center's how-to guides for setting up the product, by keywords: single "
            + "sign-on (SSO, SAML, Okta, Microsoft Entra ID), keys and webhooks for integrations, two-factor authentication, "
            + "and more. Gives the best matching articles with their steps.";

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    /**
     * A help-center article.
     *
     * @param id its id, such as {@code KB-1042}
     * @param title its title
     * @param note what to know before the steps (the plan it needs, who may do it)
     * @param steps the steps, in order
     * @param keywords words a customer may search with that the title does not hold
     */
    record Article(String id, String title, String note, List<String> steps, List<String> keywords) {
        Article {
            steps = List.copyOf(steps);
            keywords = List.copyOf(keywords);
        }
    }

    /** An article a query found, with its score and how many words of the query it shares. */
    record Hit(Article article, int score, int words) {}

    /** The articles, as a help center would have them. */
    static final List<Article> ARTICLES = List.of(
            new Article("KB-1042", "Set up single sign-on (SAML) with Okta",
                    "Single sign-on is part of the Business plan; a workspace admin sets it up.",
                    List.of("In the Okta Admin Console, open Applications > Create App Integration, choose SAML 2.0 and name the "
                                    + "app after your workspace.",
                            "In the workspace, open Settings > Security > Single sign-on and copy the ACS URL and the Entity ID "
                                    + "into the app's SAML settings in Okta; set the Name ID format to EmailAddress.",
                            "Download the app's IdP metadata from Okta and upload it on the same Single sign-on page.",
                            "Assign the app to your team's people or groups in Okta.",
                            "Sign in with a second admin account to test it, then turn on 'Require single sign-on' so that "
                                    + "everyone signs in through Okta."),
                    List.of("sso", "saml", "okta", "idp", "identity provider", "single sign-on")),
            new Article("KB-1043", "Set up single sign-on (SAML) with Microsoft Entra ID",
                    "Single sign-on is part of the Business plan; a workspace admin sets it up.",
                    List.of("In the Microsoft Entra admin center, open Enterprise applications > New application > Create your "
                                    + "own application, and choose a non-gallery application.",
                            "Under Single sign-on choose SAML, and paste the workspace's ACS URL and Entity ID from Settings > "
                                    + "Security > Single sign-on.",
                            "Download the Federation Metadata XML and upload it on the workspace's Single sign-on page.",
                            "Assign users and groups to the application, test with a second admin account, then turn on "
                                    + "'Require single sign-on'."),
                    List.of("sso", "saml", "entra", "azure", "azure ad", "microsoft", "idp", "identity provider", "single sign-on")),
            new Article("KB-2010", "Create and rotate API keys",
                    "Workspace admins and developers can manage API keys.",
                    List.of("Open Settings > Developers > API keys and click Create key; name it after the system that uses it.",
                            "Copy the key right away: it is shown only once.",
                            "To rotate a key, create a new one, deploy it, then revoke the old one; both work in between.",
                            "Revoke a key that leaked at once: requests that use it are refused with 401 from then on."),
                    List.of("api", "key", "token", "rotate", "revoke", "secret", "credential", "developer")),
            new Article("KB-2015", "Configure webhooks",
                    "Webhooks send the workspace's events to your systems as they happen.",
                    List.of("Open Settings > Developers > Webhooks > Add endpoint, enter an HTTPS URL and choose the events "
                                    + "to send (invoice.paid, member.added, export.ready, ...).",
                            "Check each delivery: compute the HMAC-SHA256 of the raw body with the endpoint's signing secret "
                                    + "and compare it with the X-Signature header.",
                            "Answer with a 2xx status within 10 seconds; a failed delivery is retried with backoff for 24 "
                                    + "hours, and the endpoint's log shows every attempt."),
                    List.of("webhook", "event", "callback", "endpoint", "signature", "hmac", "integration", "notification")),
            new Article("KB-3001", "Export your workspace data",
                    "The workspace owner and admins can export its data.",
                    List.of("Open Settings > Data > Export and choose CSV or JSON and the date range.",
                            "The export runs in the background; you get an e-mail with a download link, valid for 7 days.",
                            "An export holds projects, comments, files' metadata and members; invoices are under Billing > "
                                    + "Invoices."),
                    List.of("export", "download", "backup", "csv", "json", "data", "gdpr", "archive")),
            new Article("KB-3020", "Add or remove seats",
                    "The workspace owner and billing admins can change the number of seats.",
                    List.of("Open Settings > Billing > Seats, set the new number of seats and confirm.",
                            "Added seats are charged, prorated, for the rest of the billing cycle; removed seats are credited "
                                    + "on the next invoice.",
                            "Invite people from Settings > Members: each active member takes one seat."),
                    List.of("seat", "license", "user", "member", "invite", "team", "add", "remove")),
            new Article("KB-1050", "Require two-factor authentication for your team",
                    "A workspace admin can require it for everyone.",
                    List.of("Open Settings > Security > Two-factor authentication and choose Require for everyone.",
                            "Members without it are asked to set it up when they next sign in, with an authenticator app or "
                                    + "a security key.",
                            "Each member keeps their recovery codes; an admin can reset a member's two-factor authentication "
                                    + "from Settings > Members."),
                    List.of("2fa", "mfa", "two-factor", "two factor", "authenticator", "security key", "otp")));

    /** Words too common in questions to tell articles apart. */
    private static final Set<String> STOP = Set.of("a", "an", "the", "to", "for", "of", "in", "on", "at", "by", "with", "and",
            "or", "my", "our", "your", "their", "i", "we", "you", "me", "us", "it", "is", "are", "be", "do", "does", "can",
            "how", "what", "where", "when", "which", "who", "why", "please", "want", "need", "help", "set", "setup", "up",
            "configure", "get", "use", "this", "that", "there", "from", "into", "about", "some", "any", "would", "should",
            "could", "will", "hi", "hello", "thanks");

    /** "sign on", "sign-on", "log in": one word each, as a customer may write them either way. */
    private static final Pattern PHRASAL = Pattern.compile("\\b(sign|log)[\\s-]+(on|in)\\b");

    private KnowledgeBaseServer() {}

    /**
     * Serves the help center on standard input and output until the client closes standard input.
     * Takes no arguments.
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0) {
            System.err.println("usage: java -cp <class path> " + KnowledgeBaseServer.class.getName()
                    + "   (an MCP server on standard input and output; it takes no arguments)");
            System.exit(2);
        }
        // Before any logger exists: slf4j-simple reads its settings once. Logs go to standard error.
        setIfAbsent("logFile", "System.err");
        setIfAbsent("defaultLogLevel", "warn");
        PrintStream protocol = System.out;
        System.setOut(System.err); // nothing but the protocol's messages may reach standard output
        CountDownLatch closed = new CountDownLatch(1);
        InputStream in = new FilterInputStream(System.in) {
            @Override
            public int read() throws IOException {
                return ended(super.read());
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return ended(super.read(b, off, len));
            }

            private int ended(int n) {
                if (n < 0) {
                    closed.countDown();
                }
                return n;
            }
        };
        McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(McpJsonDefaults.getMapper(), in, protocol))
                .serverInfo("help-center", "1.0")
                .instructions("Search the help center with " + TOOL + " before answering a how-to or setup question, and cite "
                        + "the article you answer from by its id.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(McpServerFeatures.SyncToolSpecification.builder().tool(tool())
                        .callHandler((exchange, request) -> call(request.arguments())).build())
                .build();
        closed.await();
        server.closeGracefully();
        System.exit(0);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }

    /** The tool as clients see it: its description, its one argument and the shape of its structured content. */
    static McpSchema.Tool tool() {
        Map<String, Object> input = Map.of("type", "object",
                "properties", Map.of("query", Map.of("type", "string", "description",
                        "What the customer wants to do, in a few words: 'single sign-on Okta', 'rotate API key'.")),
                "required", List.of("query"),
                "additionalProperties", false);
        Map<String, Object> article = Map.of("type", "object",
                "properties", Map.of(
                        "id", Map.of("type", "string"),
                        "title", Map.of("type", "string"),
                        "note", Map.of("type", "string"),
                        "steps", Map.of("type", "array", "items", Map.of("type", "string")),
                        "score", Map.of("type", "integer")),
                "required", List.of("id", "title", "note", "steps", "score"));
        Map<String, Object> output = Map.of("type", "object",
                "properties", Map.of(
                        "query", Map.of("type", "string"),
                        "articles", Map.of("type", "array", "items", article)),
                "required", List.of("query", "articles"));
        return McpSchema.Tool.builder(TOOL)
                .title("Search help articles")
                .description(DESCRIPTION)
                .inputSchema(input)
                .outputSchema(output)
                .annotations(new McpSchema.ToolAnnotations("Search help articles", true, false, true, false, null))
                .build();
    }

    /** A call of {@value #TOOL}: the articles found, a "no article matches" answer, or an error result for a bad query. */
    static McpSchema.CallToolResult call(Map<String, Object> arguments) {
        Object query = arguments == null ? null : arguments.get("query");
        if (!(query instanceof String text)) {
            return error("'query' is required and must be a string: what the customer wants to do, e.g. 'single sign-on Okta'"
                    + (query == null ? "" : " (got " + query.getClass().getSimpleName().toLowerCase(Locale.ROOT) + ")"));
        }
        if (text.isBlank()) {
            return error("'query' is blank: give the words of the customer's question, e.g. 'single sign-on Okta'");
        }
        if (text.length() > MAX_QUERY) {
            return error("'query' is " + text.length() + " characters long; at most " + MAX_QUERY + ": give a few words");
        }
        String q = text.strip();
        List<Hit> hits = search(q);
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("query", q);
        structured.put("articles", hits.stream().map(KnowledgeBaseServer::json).toList());
        return McpSchema.CallToolResult.builder().addTextContent(text(q, hits)).structuredContent(structured).build();
    }

    /**
     * The articles that match {@code query}, best first: each scores 3 for every word of the query
     * in its title or keywords and 1 for every other word found in its note or steps. The best one
     * is kept, and the others that score at least half as much and share at least two words with
     * the query (one, when the best shares only one), up to {@value #MAX_RESULTS}: "rotate key" finds
     * the API keys article, not also two-factor authentication for its security keys. Empty when no
     * word matches.
     */
    static List<Hit> search(String query) {
        Set<String> words = stems(query);
        List<Hit> scored = new ArrayList<>();
        for (Article a : ARTICLES) {
            Set<String> strong = stems(a.title() + " " + String.join(" ", a.keywords()));
            Set<String> weak = stems(a.note() + " " + String.join(" ", a.steps()));
            int score = 0;
            int shared = 0;
            for (String w : words) {
                int points = strong.contains(w) ? 3 : weak.contains(w) ? 1 : 0;
                score += points;
                shared += points > 0 ? 1 : 0;
            }
            if (score > 0) {
                scored.add(new Hit(a, score, shared));
            }
        }
        scored.sort(Comparator.comparingInt(Hit::score).reversed()); // stable: ties keep the help center's order
        if (scored.isEmpty()) {
            return List.of();
        }
        Hit best = scored.getFirst();
        int wordsNeeded = Math.min(2, best.words());
        return scored.stream().filter(h -> h == best || h.score() * 2 >= best.score() && h.words() >= wordsNeeded)
                .limit(MAX_RESULTS).toList();
    }

    /** The text a model reads: the best article with its steps, then the others by id and title. */
    static String text(String query, List<Hit> hits) {
        if (hits.isEmpty()) {
            List<String> titles = ARTICLES.stream().map(a -> a.title()).toList();
            return "No help article matches \"" + query + "\". The help center has articles on: " + String.join("; ", titles)
                    + ".";
        }
        Article best = hits.getFirst().article();
        StringBuilder s = new StringBuilder();
        s.append(best.id()).append(" \"").append(best.title()).append("\"\n").append(best.note());
        for (int i = 0; i < best.steps().size(); i++) {
            s.append('\n').append(i + 1).append(". ").append(best.steps().get(i));
        }
        if (hits.size() > 1) {
            s.append("\nAlso matching: ").append(String.join(", ", hits.subList(1, hits.size()).stream()
                    .map(h -> h.article().id() + " \"" + h.article().title() + "\"").toList())).append('.');
        }
        return s.toString();
    }

    private static Map<String, Object> json(Hit hit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", hit.article().id());
        m.put("title", hit.article().title());
        m.put("note", hit.article().note());
        m.put("steps", hit.article().steps());
        m.put("score", hit.score());
        return m;
    }

    private static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder().isError(true).addTextContent(message).build();
    }

    /** The stems of the words of {@code text} that tell articles apart, lowercase. */
    static Set<String> stems(String text) {
        String joined = PHRASAL.matcher(text.toLowerCase(Locale.ROOT)).replaceAll("$1$2");
        Set<String> out = new LinkedHashSet<>();
        for (String token : joined.split("[^a-z0-9]+")) {
            if (token.length() > 1 && !STOP.contains(token)) {
                out.add(stem(token));
            }
        }
        return out;
    }

    /** A light stemmer: "keys" is "key", "rotating" and "rotate" are "rotat", "exported" is "export". */
    static String stem(String word) {
        String w = word;
        if (w.length() > 4 && w.endsWith("ies")) {
            w = w.substring(0, w.length() - 3) + "y";
        } else if (w.length() > 5 && w.endsWith("ing")) {
            w = w.substring(0, w.length() - 3);
        } else if (w.length() > 4 && w.endsWith("ed")) {
            w = w.substring(0, w.length() - 2);
        } else if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss")) {
            w = w.substring(0, w.length() - 1);
        }
        if (w.length() > 4 && w.endsWith("e")) {
            w = w.substring(0, w.length() - 1);
        }
        return w;
    }
}
