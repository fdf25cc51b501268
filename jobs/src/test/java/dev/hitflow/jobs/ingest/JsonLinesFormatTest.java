package dev.hitflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLinesFormatTest {
    /** Hands out at most {@code chunk} bytes per read, as a slow or remote file may. */
    private static InputStream chunked(byte[] data, int chunk) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static List<String> lines(byte[] data, int chunk) throws IOException {
        List<String> out = new ArrayList<>();
        try (JsonLinesFormat.LineReader reader =
                new JsonLinesFormat.LineReader(chunked(data, chunk))) {
            byte[] line;
            while ((line = reader.read()) != null) {
                out.add(new String(line, StandardCharsets.ISO_8859_1));
            }
            assertThat(reader.read()).isNull();
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void splitsOnLineFeedsDropsCarriageReturnsAndKeepsALastLineWithoutOne() throws IOException {
        byte[] data = bytes("{\"a\":1}\n{\"b\":2}\r\n\n  \n{\"c\":3}");
        for (int chunk : new int[] {1, 2, 3, 7, 1 << 20}) {
            assertThat(lines(data, chunk))
                    .as("chunk %d", chunk)
                    .containsExactly("{\"a\":1}", "{\"b\":2}", "", "  ", "{\"c\":3}");
        }
    }

    @Test
    void anEmptyFileOrATrailingLineFeedGivesNoEmptyLastLine() throws IOException {
        assertThat(lines(new byte[0], 16)).isEmpty();
        assertThat(lines(bytes("x\n"), 16)).containsExactly("x");
        assertThat(lines(bytes("x\r\n"), 1)).containsExactly("x");
    }

    @Test
    void linesLongerThanTheBufferComeWhole() throws IOException {
        String longLine = "y".repeat(JsonLinesFormat.BUFFER_BYTES * 2 + 17);
        String exact = "z".repeat(JsonLinesFormat.BUFFER_BYTES - 1); // its '\n' ends the buffer
        byte[] data = bytes("a\n" + longLine + "\r\n" + exact + "\nb\n" + longLine);
        assertThat(lines(data, 1 << 20)).containsExactly("a", longLine, exact, "b", longLine);
        assertThat(lines(data, 1000)).containsExactly("a", longLine, exact, "b", longLine);
    }

    @Test
    void bytesThatAreNotUtf8AreKeptAsTheyAre() throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        byte[] notUtf8 = {'{', '"', 'p', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'};
        data.write(notUtf8);
        data.write('\n');
        try (JsonLinesFormat.LineReader reader =
                new JsonLinesFormat.LineReader(chunked(data.toByteArray(), 4))) {
            assertThat(reader.read()).isEqualTo(notUtf8);
            assertThat(reader.read()).isNull();
        }
    }

    @Test
    void blankMeansOnlyAsciiWhitespace() {
        assertThat(JsonLinesIngestFunction.isBlank(bytes(""))).isTrue();
        assertThat(JsonLinesIngestFunction.isBlank(bytes(" \t\r"))).isTrue();
        assertThat(JsonLinesIngestFunction.isBlank(bytes(" {} "))).isFalse();
    }
}
