package dev.hitflow.jobs.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * JSON Lines as the bytes of each line (split on '\n', a trailing '\r' dropped), for the file
 * source. Flink's {@code TextLineInputFormat} gives Strings: each line was decoded from UTF-8, sent
 * to the decoding subtasks as UTF-16 characters one by one, and encoded back to UTF-8 for dead
 * letters; bytes cross the shuffle as one copy, Jackson parses them directly, and a dead letter
 * keeps the line's exact bytes, even when they are not UTF-8. Not splittable: FileSource restores a
 * position by skipping the lines already emitted, as it does for text lines.
 */
public final class JsonLinesFormat extends SimpleStreamFormat<byte[]> {
    private static final long serialVersionUID = 1L;

    static final int BUFFER_BYTES = 64 * 1024;

    @Override
    public StreamFormat.Reader<byte[]> createReader(
            Configuration config, FSDataInputStream stream) {
        return new LineReader(stream);
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }

    /** Reads lines out of a buffer; a line longer than the buffer is gathered across refills. */
    static final class LineReader implements StreamFormat.Reader<byte[]> {
        private final InputStream in;
        private final byte[] buffer = new byte[BUFFER_BYTES];
        private int position;
        private int limit;
        private boolean ended;

        LineReader(InputStream in) {
            this.in = in;
        }

        @Override
        public byte[] read() throws IOException {
            ByteArrayOutputStream longLine = null;
            while (true) {
                for (int i = position; i < limit; i++) {
                    if (buffer[i] == '\n') {
                        byte[] line = take(longLine, i);
                        position = i + 1;
                        return line;
                    }
                }
                // no end of line in the buffer: keep what is there, read more
                if (position < limit) {
                    if (longLine == null) {
                        longLine = new ByteArrayOutputStream(2 * BUFFER_BYTES);
                    }
                    longLine.write(buffer, position, limit - position);
                }
                position = 0;
                limit = ended ? -1 : in.read(buffer, 0, buffer.length);
                if (limit <= 0) {
                    limit = 0;
                    ended = true;
                    // the last line may lack its '\n'
                    return longLine == null || longLine.size() == 0
                            ? null
                            : stripCarriageReturn(longLine.toByteArray());
                }
            }
        }

        private byte[] take(ByteArrayOutputStream longLine, int end) {
            if (longLine == null) {
                int stop = end > position && buffer[end - 1] == '\r' ? end - 1 : end;
                return Arrays.copyOfRange(buffer, position, stop);
            }
            longLine.write(buffer, position, end - position);
            return stripCarriageReturn(longLine.toByteArray());
        }

        private static byte[] stripCarriageReturn(byte[] line) {
            return line.length > 0 && line[line.length - 1] == '\r'
                    ? Arrays.copyOf(line, line.length - 1)
                    : line;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
