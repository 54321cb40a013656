package dev.baton.cli.desk;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * ACME's catalogue (its famous gadgets beside ordinary goods such as shoes and jackets), known fixes,
 * orders and refunds, in memory.
 */
final class AcmeBackend {

    record Item(String itemId, String product, int price, int inStock, String knownFix) {}

    record Found(String itemId, String product, int price, int inStock) {}

    /** A known fix, and what the customer can have when it does not help. */
    record Fix(String product, String fix, String otherwise) {}

    record Order(String orderId, String product, int price, String status) {}

    record Refund(String refundId, String itemId, String product, String amount, String reason, String status) {}

    private final List<Item> catalogue = List.of(
            new Item("item_48213", "Rocket Skates", 129, 14,
                    "Tighten the axle nut with the 10 mm wrench from the box and keep the left thruster on its lowest setting"),
            new Item("item_13261", "Giant Rubber Band", 45, 40, "Store it away from sunlight; stretch it slowly before each use"),
            new Item("item_77020", "Rocket-Powered Anvil", 899, 3, "Release the safety clamp before ignition; never fire it indoors"),
            new Item("item_20544", "Bird Seed, 10 lb bag", 19, 120, "Keep the bag sealed and dry"),
            new Item("item_31907", "Portable Hole", 350, 6, "Unfold it on a flat surface; it does not work on ceilings"),
            new Item("item_52118", "Jet-Propelled Pogo Stick", 210, 9, "Charge the fuel cell fully and hold the grips with both hands"),
            new Item("item_61374", "Leather Walking Shoes", 240, 22,
                    "Exchange them for another size at no cost: we send the new pair before you return the old one"),
            new Item("item_61402", "Canvas Sneakers", 65, 48, "Wash them cold and let them dry away from the heater"),
            new Item("item_70915", "Waterproof Rain Jacket", 180, 17, "Close the storm flap over the zip and re-proof it once a season"),
            new Item("item_70951", "Hiking Backpack, 40 l", 95, 25, "Loosen the hip belt and tighten the shoulder straps"),
            new Item("item_80233", "Stainless Steel Water Bottle", 29, 150, "Tighten the lid until it clicks; the seal sits inside"));
    private final List<Order> orders = new ArrayList<>();
    private final List<Refund> refunds = new ArrayList<>();
    private final AtomicInteger nextOrder = new AtomicInteger(1201);
    private final AtomicInteger nextRefund = new AtomicInteger(301);

    /** The item whose name shares the most words with the query. */
    synchronized Found lookUp(String query) {
        Item item = best(query);
        return new Found(item.itemId(), item.product(), item.price(), item.inStock());
    }

    synchronized Fix knownFix(String product) {
        Item item = best(product);
        return new Fix(item.product(), item.knownFix(), "If that does not solve it, we can refund the item instead.");
    }

    synchronized Item item(String itemId) {
        return catalogue.stream().filter(i -> i.itemId().equalsIgnoreCase(itemId.strip())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No item " + itemId));
    }

    synchronized Order order(String product, int price) {
        Item item = best(product);
        if (price != item.price()) {
            throw new IllegalArgumentException(item.product() + " costs $" + item.price() + ", not $" + price);
        }
        Order order = new Order("ORD-" + nextOrder.getAndIncrement(), item.product(), price, "confirmed, ships tomorrow");
        orders.add(order);
        return order;
    }

    /**
     * Refunds an item at its price, once.
     *
     * @throws IllegalArgumentException if the item is unknown or was already refunded (the model reads the message)
     */
    synchronized Refund refund(String itemId, String reason) {
        Item item = item(itemId);
        Refund earlier = refundOf(item.itemId());
        if (earlier != null) {
            throw new IllegalArgumentException(item.itemId() + " (" + item.product() + ") was already refunded (" + earlier.refundId()
                    + ", " + earlier.amount() + "); an item is refunded only once");
        }
        Refund refund = new Refund("RF-" + nextRefund.getAndIncrement(), item.itemId(), item.product(), "$" + item.price() + ".00",
                reason, "refunded to the original card");
        refunds.add(refund);
        return refund;
    }

    /** The refund of an item, or null if it has none. */
    synchronized @Nullable Refund refundOf(String itemId) {
        return refunds.stream().filter(r -> r.itemId().equalsIgnoreCase(itemId.strip())).findFirst().orElse(null);
    }

    synchronized List<Order> orders() {
        return List.copyOf(orders);
    }

    synchronized List<Refund> refunds() {
        return List.copyOf(refunds);
    }

    private Item best(String query) {
        Set<String> words = words(query);
        Item best = null;
        int bestScore = 0;
        for (Item item : catalogue) {
            Set<String> common = words(item.product());
            common.retainAll(words);
            if (common.size() > bestScore) {
                best = item;
                bestScore = common.size();
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("No ACME item matches '" + query + "'");
        }
        return best;
    }

    private static Set<String> words(String text) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (w.length() > 2) {
                out.add(w.endsWith("s") && w.length() > 3 ? w.substring(0, w.length() - 1) : w);
            }
        }
        return out;
    }
}
