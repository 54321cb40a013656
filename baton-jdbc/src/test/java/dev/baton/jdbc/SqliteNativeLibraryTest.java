package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * The SQLite driver's native library kept extracted between processes: the copy in use is always
 * the driver's own library for this platform, checked against its CRC-32, and anything else
 * (missing, damaged, no checksum, a directory that cannot be written) is extracted again or left
 * to the driver.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SqliteNativeLibraryTest {
    @TempDir
    Path dir;

    @Test
    void the_library_for_this_platform_is_extracted_once_with_its_checksum_and_reused() throws Exception {
        Path library = SqliteNativeLibrary.kept(dir);

        assertThat(library).isNotNull();
        assertThat(library).startsWith(dir.toAbsolutePath());
        assertThat(library.getParent().getFileName().toString()).contains(SQLiteJDBCLoader.getVersion());
        assertThat(Files.readAllBytes(library)).isEqualTo(driverLibrary());
        assertThat(library.resolveSibling(library.getFileName() + ".crc32")).isRegularFile();
        Object extracted = Files.readAttributes(library, BasicFileAttributes.class).fileKey();

        Path again = SqliteNativeLibrary.kept(dir);

        assertThat(again).isEqualTo(library);
        assertThat(Files.readAttributes(again, BasicFileAttributes.class).fileKey()).as("the same file, not a new copy").isEqualTo(extracted);
    }

    @Test
    void a_damaged_copy_is_never_used_and_is_extracted_again() throws Exception {
        Path library = SqliteNativeLibrary.kept(dir);
        byte[] damaged = Files.readAllBytes(library);
        damaged[damaged.length / 2] ^= 0x5a;
        Files.write(library, damaged);

        Path repaired = SqliteNativeLibrary.kept(dir);

        assertThat(repaired).isEqualTo(library);
        assertThat(Files.readAllBytes(repaired)).isEqualTo(driverLibrary());
    }

    @Test
    void a_half_written_copy_or_one_without_its_checksum_is_extracted_again() throws Exception {
        Path library = SqliteNativeLibrary.kept(dir);
        Path checksum = library.resolveSibling(library.getFileName() + ".crc32");
        Files.write(library, new byte[] {0x7f, 'E', 'L', 'F'});
        assertThat(SqliteNativeLibrary.intact(library, checksum)).isFalse();
        assertThat(Files.readAllBytes(SqliteNativeLibrary.kept(dir))).isEqualTo(driverLibrary());

        Files.delete(checksum);
        assertThat(SqliteNativeLibrary.intact(library, checksum)).isFalse();
        assertThat(SqliteNativeLibrary.kept(dir)).isEqualTo(library);
        assertThat(SqliteNativeLibrary.intact(library, checksum)).isTrue();
    }

    @Test
    void a_directory_that_cannot_be_made_keeps_nothing_and_fails_nothing() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");

        assertThat(SqliteNativeLibrary.kept(file.resolve("native"))).isNull();
    }

    private static byte[] driverLibrary() throws Exception {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes();
        }
    }
}
