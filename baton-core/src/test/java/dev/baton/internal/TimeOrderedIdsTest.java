package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Ids that sort by the time they were made, so that rows keyed by them are added at the end of their indexes. */
class TimeOrderedIdsTest {

    @Test
    void ids_made_later_sort_after_earlier_ones_and_do_not_repeat() throws Exception {
        List<String> hex = new ArrayList<>();
        List<String> uuids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            hex.add(TimeOrderedIds.hex32());
            uuids.add(TimeOrderedIds.uuid());
            Thread.sleep(2);
        }
        assertThat(hex).isSorted().allMatch(id -> id.matches("[0-9a-f]{32}"));
        assertThat(uuids).isSorted();
        var many = new HashSet<String>();
        for (int i = 0; i < 100_000; i++) {
            many.add(TimeOrderedIds.hex32());
        }
        assertThat(many).hasSize(100_000);
    }

    @Test
    void a_uuid_is_a_version_7_uuid_carrying_the_millisecond_it_was_made_in() {
        long before = System.currentTimeMillis();
        String id = TimeOrderedIds.uuid();
        long after = System.currentTimeMillis();

        UUID parsed = UUID.fromString(id);
        assertThat(parsed.version()).isEqualTo(7);
        assertThat(parsed.variant()).isEqualTo(2);
        assertThat(TimeOrderedIds.millisOf(id)).isBetween(before, after);
        assertThat(Long.parseLong(TimeOrderedIds.hex32().substring(0, 12), 16)).isBetween(before, System.currentTimeMillis());
    }

    @Test
    void a_derived_id_depends_on_its_name_only_and_keeps_the_time_of_a_version_7_id() {
        String parent = TimeOrderedIds.uuid();
        String child = TimeOrderedIds.derivedUuid(parent, parent + "/billing/0");

        assertThat(TimeOrderedIds.derivedUuid(parent, parent + "/billing/0")).as("the same name, the same id").isEqualTo(child);
        assertThat(TimeOrderedIds.derivedUuid(parent, parent + "/billing/1")).isNotEqualTo(child);
        assertThat(UUID.fromString(child).version()).isEqualTo(7);
        assertThat(TimeOrderedIds.millisOf(child)).isEqualTo(TimeOrderedIds.millisOf(parent));
        assertThat(TimeOrderedIds.derivedHex32(parent, "turn")).startsWith(String.format("%012x", TimeOrderedIds.millisOf(parent)))
                .matches("[0-9a-f]{32}").isEqualTo(TimeOrderedIds.derivedHex32(parent, "turn"));
    }

    @Test
    void an_id_without_a_time_derives_the_name_based_uuid_as_before() {
        String plain = "not-a-time-ordered-id";
        UUID nameBased = UUID.nameUUIDFromBytes("a name".getBytes(StandardCharsets.UTF_8));

        assertThat(TimeOrderedIds.millisOf(plain)).isEqualTo(-1);
        assertThat(TimeOrderedIds.millisOf(UUID.randomUUID().toString())).as("version 4").isEqualTo(-1);
        assertThat(TimeOrderedIds.derivedUuid(plain, "a name")).isEqualTo(nameBased.toString());
        assertThat(TimeOrderedIds.derivedHex32(plain, "a name")).isEqualTo(nameBased.toString().replace("-", ""));
    }
}
