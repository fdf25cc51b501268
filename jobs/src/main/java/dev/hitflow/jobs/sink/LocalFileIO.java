package dev.hitflow.jobs.sink;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * Iceberg file IO for a warehouse on the local file system (the local runner, the benchmark, the
 * tests), through Iceberg's own local files ({@link org.apache.iceberg.Files}) instead of Hadoop's.
 * Hadoop's local file system, without its native library (which Maven does not ship), sets the
 * permission of every file it creates by running {@code chmod} in a child process, and writes a
 * {@code .crc} side file, with its own {@code chmod}: two processes forked from the job's JVM for
 * every data file, manifest and metadata file, at every checkpoint and for every table (a third of
 * the aggregate writers' CPU in a profile of the full pipeline).
 *
 * <p>Locations are read exactly as Hadoop's file system reads them (a {@code file:} URI or a plain
 * path), so files land where they did before, and every location is kept as given: data files,
 * manifests and orphan removal see the same strings. Other schemes are refused: object stores have
 * their own file IO (S3FileIO, ...), named in the catalog properties.
 */
public final class LocalFileIO implements FileIO {
    private static final long serialVersionUID = 1L;

    @Override
    public InputFile newInputFile(String location) {
        return new LocalInput(location, file(location));
    }

    @Override
    public OutputFile newOutputFile(String location) {
        return new LocalOutput(location, file(location));
    }

    @Override
    public void deleteFile(String location) {
        try {
            Files.deleteIfExists(file(location).toPath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + location, e);
        }
    }

    /** The local file of a location, resolved as Hadoop's local file system resolves it. */
    static File file(String location) {
        URI uri = new org.apache.hadoop.fs.Path(location).toUri();
        if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
            throw new IllegalArgumentException(
                    "LocalFileIO reads and writes local files only, not " + uri.getScheme() + ":");
        }
        return new File(uri.getPath());
    }

    private record LocalInput(String location, File file) implements InputFile {
        @Override
        public long getLength() {
            if (!file.isFile()) {
                throw new NotFoundException("File does not exist: %s", location);
            }
            return file.length();
        }

        @Override
        public SeekableInputStream newStream() {
            if (!file.isFile()) {
                throw new NotFoundException("File does not exist: %s", location);
            }
            return org.apache.iceberg.Files.localInput(file).newStream();
        }

        @Override
        public boolean exists() {
            return file.isFile();
        }

        @Override
        public String toString() {
            return location;
        }
    }

    private record LocalOutput(String location, File file) implements OutputFile {
        @Override
        public PositionOutputStream create() {
            return org.apache.iceberg.Files.localOutput(file).create();
        }

        @Override
        public PositionOutputStream createOrOverwrite() {
            return org.apache.iceberg.Files.localOutput(file).createOrOverwrite();
        }

        @Override
        public InputFile toInputFile() {
            return new LocalInput(location, file);
        }

        @Override
        public String toString() {
            return location;
        }
    }
}
