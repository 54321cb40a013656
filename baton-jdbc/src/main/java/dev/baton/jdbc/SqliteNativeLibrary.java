package dev.baton.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * The SQLite driver's native library, kept extracted in a directory between processes. Left to
 * itself, sqlite-jdbc pays in every process for probing the platform (it starts {@code uname}),
 * copying its library out of the jar to the temporary directory under a new name and comparing the
 * copy byte by byte: a tenth of a second, most of a short command's database opening. When the
 * system property {@value #DIRECTORY_PROPERTY} names a directory (the {@code baton} launcher sets
 * it), the library is extracted there once, with its CRC-32 beside it, and later processes load
 * that copy through the driver's {@code org.sqlite.lib.path}.
 *
 * <p>The copy is checked against its CRC-32 before every use and is named by the driver's version
 * and the platform, so a damaged, half-written or other version's library is never loaded: it is
 * extracted again, and if that cannot be done (a read-only directory, a full disk) the driver loads
 * its library its own way. A library that is the right file but does not link on this machine (a
 * directory shared between a glibc and a musl system) makes the driver fall back the same way.
 */
final class SqliteNativeLibrary {

    /** The system property that names the directory to keep the library in; unset, nothing is kept. */
    static final String DIRECTORY_PROPERTY = "baton.sqlite.native-dir";

    private static final String DRIVER_PATH = "org.sqlite.lib.path";
    private static final String DRIVER_NAME = "org.sqlite.lib.name";

    private static boolean prepared;

    private SqliteNativeLibrary() {}

    /**
     * Points the driver at the kept library, extracting it first if needed, once per process and
     * before the driver loads its library. Does nothing when {@value #DIRECTORY_PROPERTY} is unset
     * or the driver was told where its library is; never fails.
     */
    static synchronized void prepare() {
        if (prepared) {
            return;
        }
        prepared = true;
        String directory = System.getProperty(DIRECTORY_PROPERTY);
        if (directory == null || directory.isBlank() || System.getProperty(DRIVER_PATH) != null) {
            return;
        }
        Path library = kept(Path.of(directory));
        if (library != null) {
            System.setProperty(DRIVER_PATH, library.getParent().toString());
            System.setProperty(DRIVER_NAME, library.getFileName().toString());
        }
    }

    /**
     * The library kept under {@code directory} for this driver version and platform, extracted
     * if it is missing or does not match its CRC-32; null if no checked copy can be had.
     */
    static @Nullable Path kept(Path directory) {
        try {
            String platform = (System.getProperty("os.name") + "-" + System.getProperty("os.arch"))
                    .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
            Path folder = directory.toAbsolutePath().resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-" + platform);
            String name = LibraryLoaderUtil.getNativeLibName();
            Path library = folder.resolve(name);
            Path checksum = folder.resolve(name + ".crc32");
            if (intact(library, checksum)) {
                return library;
            }
            extract(folder, name, library, checksum);
            return intact(library, checksum) ? library : null;
        } catch (IOException | RuntimeException e) {
            // Nothing kept: the driver extracts its library as it does without this class.
            return null;
        }
    }

    /** Whether the library and its checksum file exist and the library's size and CRC-32 are the recorded ones. */
    static boolean intact(Path library, Path checksum) throws IOException {
        if (!Files.isRegularFile(library) || !Files.isRegularFile(checksum)) {
            return false;
        }
        String recorded = Files.readString(checksum, StandardCharsets.US_ASCII).strip();
        byte[] bytes = Files.readAllBytes(library);
        return recorded.equals(describe(bytes.length, crc(bytes)));
    }

    /**
     * Copies the driver's library for this platform out of its jar into {@code folder}. Each file
     * is written under a name of its own and renamed into place, the library before its checksum,
     * so that processes extracting at once, or reading meanwhile, never see half a file as intact.
     */
    private static void extract(Path folder, String name, Path library, Path checksum) throws IOException {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
        byte[] bytes;
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the driver has no native library " + resource);
            }
            bytes = in.readAllBytes();
        }
        Files.createDirectories(folder);
        Path libraryTemp = Files.createTempFile(folder, name, ".tmp");
        Path checksumTemp = Files.createTempFile(folder, name + ".crc32", ".tmp");
        try {
            write(libraryTemp, bytes);
            write(checksumTemp, describe(bytes.length, crc(bytes)).getBytes(StandardCharsets.US_ASCII));
            Files.move(libraryTemp, library, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(checksumTemp, checksum, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(libraryTemp);
            Files.deleteIfExists(checksumTemp);
        }
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(bytes);
        }
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private static String describe(int size, long crc) {
        return size + " " + Long.toHexString(crc);
    }
}
