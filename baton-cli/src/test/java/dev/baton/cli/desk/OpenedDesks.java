package dev.baton.cli.desk;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The desks a test made, closed after it (the support desk's help center is a process it may have
 * started). Register it with {@code @RegisterExtension} and make desks through {@link #open}.
 */
final class OpenedDesks implements AfterEachCallback {
    private final List<Desk<?>> opened = new ArrayList<>();

    /** {@code desk}, closed after the test. */
    <D extends Desk<?>> D open(D desk) {
        opened.add(desk);
        return desk;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        opened.forEach(Desk::close);
        opened.clear();
    }
}
