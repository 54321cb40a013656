package dev.baton.cli.desk;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** Orders, registered units, help articles and RMAs of a hardware vendor, in memory. */
final class RmaBackend {
    /** The day warranty checks are made on, fixed so the sample data gives the same answers every day. */
    static final LocalDate TODAY = LocalDate.of(2025, 3, 14);

    record Unit(String serial, String product, String orderId, LocalDate purchased, int warrantyMonths, List<String> repairs) {}

    record Order(String orderId, String customer, LocalDate placed, List<String> serials, String status) {}

    record Warranty(String serial, String product, boolean inWarranty, String warrantyUntil, int earlierRepairs) {}

    record Article(String title, String steps) {}

    record Rma(String rmaId, String serial, String product, String priority, String handling, String reason) {}

    private final Map<String, Unit> units = new LinkedHashMap<>();
    private final Map<String, Order> orders = new LinkedHashMap<>();
    private final Map<String, Article> articles = new LinkedHashMap<>();
    /** The words (whole words, singular) a question must contain for each article. */
    private final Map<String, Set<String>> keywords = new LinkedHashMap<>();
    private final List<Rma> rmas = new ArrayList<>();
    private final AtomicInteger nextRma = new AtomicInteger(7001);
    private final Map<String, String> ticketsBySession = new LinkedHashMap<>();
    private final AtomicInteger nextTicket = new AtomicInteger(5001);

    RmaBackend() {
        unit(new Unit("SN-88412", "X200 wireless headset", "ORD-5521", LocalDate.of(2025, 2, 27), 24, List.of()));
        unit(new Unit("SN-88413", "X200 wireless headset", "ORD-5521", LocalDate.of(2025, 2, 27), 24, List.of()));
        unit(new Unit("SN-30977", "Dock Pro USB-C dock", "ORD-4410", LocalDate.of(2022, 11, 2), 24,
                List.of("2023-06: replaced power board")));
        unit(new Unit("SN-61250", "Lumen 27 monitor", "ORD-5017", LocalDate.of(2024, 8, 19), 36,
                List.of("2024-12: backlight flicker, firmware update")));
        orders.put("ORD-5521", new Order("ORD-5521", "Northwind Studio", LocalDate.of(2025, 2, 27), List.of("SN-88412", "SN-88413"), "delivered"));
        orders.put("ORD-4410", new Order("ORD-4410", "Dana Whitfield", LocalDate.of(2022, 11, 2), List.of("SN-30977"), "delivered"));
        orders.put("ORD-5017", new Order("ORD-5017", "Tomás Ferreira", LocalDate.of(2024, 8, 19), List.of("SN-61250"), "delivered"));
        article("headset", new Article("Connect the X200 headset over Bluetooth",
                "Hold the power button for 5 seconds until the light blinks blue, then choose 'X200' in your laptop's Bluetooth settings"),
                "headset", "x200", "bluetooth", "pair", "pairing", "earphone", "microphone", "mic");
        article("monitor", new Article("Change brightness and picture mode on the Lumen 27",
                "Press the joystick under the screen, open Picture, then set Brightness; Eco mode caps it at 70%"),
                "monitor", "lumen", "brightness", "bright", "dim", "picture", "screen", "display", "eco");
        article("dock", new Article("Update the Dock Pro firmware",
                "Connect the dock, open the Dock Pro app, choose Firmware and keep the dock powered until it restarts"),
                "dock", "firmware", "usb", "usb-c", "update");
    }

    private void article(String key, Article article, String... words) {
        articles.put(key, article);
        keywords.put(key, Set.of(words));
    }

    private void unit(Unit u) {
        units.put(u.serial(), u);
    }

    synchronized Unit unit(String serial) {
        Unit u = units.get(serial.strip().toUpperCase(Locale.ROOT));
        if (u == null) {
            throw new IllegalArgumentException("No unit with serial " + serial);
        }
        return u;
    }

    synchronized Order order(String orderId) {
        Order o = orders.get(orderId.strip().toUpperCase(Locale.ROOT));
        if (o == null) {
            throw new IllegalArgumentException("No order " + orderId);
        }
        return o;
    }

    synchronized Warranty warranty(String serial) {
        Unit u = unit(serial);
        LocalDate until = u.purchased().plusMonths(u.warrantyMonths());
        return new Warranty(u.serial(), u.product(), !TODAY.isAfter(until), until.toString(), u.repairs().size());
    }

    /** The article sharing the most keywords (whole words) with the question. */
    synchronized Article article(String question) {
        Set<String> words = words(question);
        String best = null;
        int bestScore = 0;
        for (var e : keywords.entrySet()) {
            int score = (int) e.getValue().stream().filter(words::contains).count();
            if (score > bestScore) {
                best = e.getKey();
                bestScore = score;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("No article matches '" + question + "'; articles cover the headset, the monitor and the dock");
        }
        return articles.get(best);
    }

    /** The question's words, lower case, plurals made singular ("headsets" is "headset"). */
    private static Set<String> words(String text) {
        Set<String> out = new HashSet<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z0-9-]+")) {
            String word = w.replaceAll("^-+|-+$", "");
            if (word.isEmpty()) {
                continue;
            }
            out.add(word);
            out.addAll(List.of(word.split("-")));
            if (word.length() > 3 && word.endsWith("s")) {
                out.add(word.substring(0, word.length() - 1));
            }
        }
        return out;
    }

    /** Opens an RMA; HIGH priority gets an advance replacement, others a repair by mail. */
    synchronized Rma createRma(String serial, String reason, String priority) {
        Warranty w = warranty(serial);
        if (!w.inWarranty()) {
            throw new IllegalArgumentException(serial + " is out of warranty since " + w.warrantyUntil() + "; offer a paid repair");
        }
        String handling = priority.equals("HIGH") ? "advance replacement, ships today by express courier"
                : "repair by mail, prepaid label sent by e-mail";
        Rma rma = new Rma("RMA-" + nextRma.getAndIncrement(), w.serial(), w.product(), priority, handling, reason);
        rmas.add(rma);
        return rma;
    }

    /**
     * The id of the support ticket for a conversation: a new one for each conversation (session), the
     * same one for its later messages; a new one for every run outside a session.
     */
    synchronized String ticketId(@Nullable String session) {
        if (session == null) {
            return "TCK-" + nextTicket.getAndIncrement();
        }
        return ticketsBySession.computeIfAbsent(session, s -> "TCK-" + nextTicket.getAndIncrement());
    }

    synchronized List<Rma> rmas() {
        return List.copyOf(rmas);
    }
}
