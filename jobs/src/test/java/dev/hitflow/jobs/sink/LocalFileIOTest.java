package dev.hitflow.jobs.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFileIOTest {
    @TempDir Path dir;

    private final LocalFileIO io = new LocalFileIO();

    @Test
    void writesReadsAndDeletesAtTheLocationItWasGivenAndKeepsThatLocation() throws IOException {
        String location =
                dir.toUri() + "analytics/hits/data/tenant_id=acme/day=2026-03-27/f.parquet";
        OutputFile out = io.newOutputFile(location);
        assertThat(out.location()).isEqualTo(location);
        try (PositionOutputStream stream = out.create()) {
            stream.write("0123456789".getBytes(StandardCharsets.US_ASCII));
            assertThat(stream.getPos()).isEqualTo(10);
        }
        Path written = dir.resolve("analytics/hits/data/tenant_id=acme/day=2026-03-27/f.parquet");
        assertThat(Files.readString(written)).isEqualTo("0123456789");
        // no Hadoop checksum side file
        assertThat(written.resolveSibling(".f.parquet.crc")).doesNotExist();

        InputFile in = io.newInputFile(location);
        assertThat(in.location()).isEqualTo(location);
        assertThat(in.exists()).isTrue();
        assertThat(in.getLength()).isEqualTo(10);
        try (SeekableInputStream stream = in.newStream()) {
            stream.seek(4);
            assertThat(stream.getPos()).isEqualTo(4);
            byte[] four = new byte[4];
            assertThat(stream.read(four)).isEqualTo(4);
            assertThat(new String(four, StandardCharsets.US_ASCII)).isEqualTo("4567");
            assertThat(stream.getPos()).isEqualTo(8);
        }
        assertThat(out.toInputFile().location()).isEqualTo(location);

        io.deleteFile(location);
        assertThat(written).doesNotExist();
        io.deleteFile(location); // already gone: nothing to do
    }

    @Test
    void createRefusesAnExistingFileAndCreateOrOverwriteReplacesIt() throws IOException {
        String location = dir.resolve("m.avro").toUri().toString();
        try (PositionOutputStream stream = io.newOutputFile(location).create()) {
            stream.write(new byte[] {1, 2, 3});
        }
        assertThatThrownBy(() -> io.newOutputFile(location).create())
                .isInstanceOf(AlreadyExistsException.class);
        try (PositionOutputStream stream = io.newOutputFile(location).createOrOverwrite()) {
            stream.write(new byte[] {9});
        }
        assertThat(Files.readAllBytes(dir.resolve("m.avro"))).containsExactly(9);
    }

    @Test
    void aMissingFileDoesNotExistAndCannotBeRead() {
        InputFile missing = io.newInputFile(dir.resolve("none.json").toUri().toString());
        assertThat(missing.exists()).isFalse();
        assertThatThrownBy(missing::newStream).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(missing::getLength).isInstanceOf(NotFoundException.class);
    }

    @Test
    void resolvesLocationsAsHadoopsLocalFileSystemDoes() {
        // file:/ and file:/// URIs and plain paths name the same file
        File expected = dir.resolve("x/y.json").toFile();
        assertThat(LocalFileIO.file("file:" + expected.getPath())).isEqualTo(expected);
        assertThat(LocalFileIO.file("file://" + expected.getPath())).isEqualTo(expected);
        assertThat(LocalFileIO.file(expected.getPath())).isEqualTo(expected);
        assertThat(
                        LocalFileIO.file(
                                new org.apache.hadoop.fs.Path(expected.toURI().toString())
                                        .toString()))
                .isEqualTo(expected);
        assertThatThrownBy(() -> LocalFileIO.file("s3://bucket/warehouse/t/f.parquet"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LocalFileIO reads and writes local files only, not s3:");
    }
}
