package dev.baton.cli.desk;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

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
    private final List<Rma> rmas = new ArrayList<>();
    private final AtomicInteger nextRma = new AtomicInteger(7001);

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
        articles.put("headset", new Article("Connect the X200 headset over Bluetooth",
                "Hold the power button for 5 seconds until the light blinks blue, then choose 'X200' in your laptop's Bluetooth settings"));
        articles.put("monitor", new Article("Change brightness and picture mode on the Lumen 27",
                "Press the joystick under the screen, open Picture, then set Brightness; Eco mode caps it at 70%"));
        articles.put("dock", new Article("Update the Dock Pro firmware",
                "Connect the dock, open the Dock Pro app, choose Firmware and keep the dock powered until it restarts"));
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

    synchronized Article article(String question) {
        String q = question.toLowerCase(Locale.ROOT);
        for (var e : articles.entrySet()) {
            if (q.contains(e.getKey()) || q.contains(e.getValue().title().toLowerCase(Locale.ROOT).split(" ")[2])) {
                return e.getValue();
            }
        }
        throw new IllegalArgumentException("No article matches '" + question + "'; articles cover the headset, the monitor and the dock");
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

    synchronized List<Rma> rmas() {
        return List.copyOf(rmas);
    }
}
