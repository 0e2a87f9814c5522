package io.ledgerdisk.journal.bookie;

import java.io.File;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import org.apache.bookkeeper.bookie.BookieFileChannel;
import org.apache.bookkeeper.bookie.FileChannelProvider;
import org.apache.bookkeeper.conf.ServerConfiguration;

/**
 * Opens bookie journal files as {@link ZeroFillingFileChannel}s, so journal records are written
 * over zeros rather than into holes. Named in the bookie configuration ({@code journalChannelProvider});
 * BookKeeper creates it by its no-argument constructor. Journal files are not reused: a reused
 * file holds old records past the new tail, which replay would read as current.
 */
public final class ZeroFillingJournalChannelProvider implements FileChannelProvider {

    @Override
    public BookieFileChannel open(File file, ServerConfiguration configuration) {
        return new JournalFile(file);
    }

    @Override
    public void close(BookieFileChannel channel) throws IOException {
        channel.close();
    }

    @Override
    public void close() {
    }

    /** One journal file; its channel is opened on first use, as BookKeeper's default provider does. */
    private static final class JournalFile implements BookieFileChannel {
        private final File file;
        private RandomAccessFile randomAccessFile;
        private FileChannel channel;

        JournalFile(File file) {
            this.file = file;
        }

        @Override
        public synchronized FileChannel getFileChannel() throws IOException {
            if (channel == null) {
                randomAccessFile = new RandomAccessFile(file, "rw");
                channel = new ZeroFillingFileChannel(randomAccessFile.getChannel(), file.getName());
            }
            return channel;
        }

        @Override
        public boolean fileExists(File candidate) {
            return candidate.exists();
        }

        @Override
        public synchronized FileDescriptor getFD() throws IOException {
            if (randomAccessFile == null) {
                throw new IOException("journal file " + file + " is not open yet");
            }
            return randomAccessFile.getFD();
        }

        @Override
        public synchronized void close() throws IOException {
            if (channel != null) {
                channel.close();
                randomAccessFile.close();
            }
        }
    }
}
