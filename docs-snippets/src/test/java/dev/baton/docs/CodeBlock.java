package dev.baton.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fenced code block of a Markdown page: its fence's info string, its text, and the line of the
 * page where its first line of code sits (1-based), so a failure can name the page and line.
 */
record CodeBlock(String page, int firstLine, String info, String code) {

    private static final Pattern FENCE = Pattern.compile("^( {0,3})(`{3,}|~{3,})\\s*([^`]*?)\\s*$");

    /** The fence's language: the first word of its info string ({@code java}, {@code sh}, ...). */
    String language() {
        String trimmed = info.strip();
        int space = trimmed.indexOf(' ');
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }

    /** Whether the info string carries {@code word} after the language, as in {@code ```java run}. */
    boolean hasFlag(String word) {
        String[] words = info.strip().split("\\s+");
        for (int i = 1; i < words.length; i++) {
            if (words[i].equals(word)) {
                return true;
            }
        }
        return false;
    }

    /** The line of the page on which line {@code index} (0-based) of the code sits. */
    int pageLine(int index) {
        return firstLine + index;
    }

    /**
     * Every fenced block of a Markdown page, in order. A fence left open is bad input: it would
     * silently hide the rest of the page from the check, so it is an error naming its line.
     */
    static List<CodeBlock> parse(String page, String markdown) {
        List<CodeBlock> blocks = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            Matcher open = FENCE.matcher(stripCr(lines[i]));
            if (!open.matches()) {
                i++;
                continue;
            }
            int indent = open.group(1).length();
            String fence = open.group(2);
            String info = open.group(3);
            int openLine = i + 1;
            StringBuilder code = new StringBuilder();
            int j = i + 1;
            boolean closed = false;
            for (; j < lines.length; j++) {
                String line = stripCr(lines[j]);
                Matcher close = FENCE.matcher(line);
                if (close.matches() && close.group(2).charAt(0) == fence.charAt(0)
                        && close.group(2).length() >= fence.length() && close.group(3).isEmpty()) {
                    closed = true;
                    break;
                }
                code.append(dropIndent(line, indent)).append('\n');
            }
            if (!closed) {
                throw new UnclosedBlock(page, openLine);
            }
            blocks.add(new CodeBlock(page, openLine + 1, info, code.toString()));
            i = j + 1;
        }
        return blocks;
    }

    /** A fence left open at {@code line} of {@code page}. */
    static final class UnclosedBlock extends IllegalArgumentException {
        private final int line;

        UnclosedBlock(String page, int line) {
            super(page + ":" + line + ": the code block opened here is never closed");
            this.line = line;
        }

        int line() {
            return line;
        }
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static String dropIndent(String line, int indent) {
        int n = 0;
        while (n < indent && n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return line.substring(n);
    }
}
