package io.ledgerdisk.journal.bookie;

import java.io.File;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import org.apache.bookkeeper.bookie.BookieFileChannel;
import org.apache.bookkeeper.bookie.DefaultFileChannelProvider;
import org.apache.bookkeeper.bookie.FileChannelProvider;
import org.apache.bookkeeper.conf.ServerConfiguration;

/**
 * Opens bookie journal files as BookKeeper's default provider does, and hands the journal their
 * channels as {@link ZeroFillingFileChannel}s, so journal records are written over zeros rather
 * than into holes. Named in the bookie configuration ({@code journalChannelProvider}); BookKeeper
 * creates it by its no-argument constructor. Journal files are not reused: a reused file holds old
 * records past the new tail, which replay would read as current.
 */
public final class ZeroFillingJournalChannelProvider implements FileChannelProvider {
    private final DefaultFileChannelProvider files = new DefaultFileChannelProvider();

    @Override
    public BookieFileChannel open(File file, ServerConfiguration configuration) throws IOException {
        return new JournalFile(files.open(file, configuration), file.getName());
    }

    @Override
    public void close(BookieFileChannel channel) throws IOException {
        channel.close();
    }

    @Override
    public void close() {
        files.close();
    }

    /** A journal file whose channel is wrapped once, on first use. */
    private static final class JournalFile implements BookieFileChannel {
        private final BookieFileChannel file;
        private final String name;
        private FileChannel channel;

        JournalFile(BookieFileChannel file, String name) {
            this.file = file;
            this.name = name;
        }

        @Override
        public synchronized FileChannel getFileChannel() throws IOException {
            if (channel == null) {
                channel = new ZeroFillingFileChannel(file.getFileChannel(), name);
            }
            return channel;
        }

        @Override
        public boolean fileExists(File candidate) {
            return file.fileExists(candidate);
        }

        @Override
        public FileDescriptor getFD() throws IOException {
            return file.getFD();
        }

        @Override
        public synchronized void close() throws IOException {
            if (channel != null) {
                channel.close(); // stops the fill thread before the file closes
            }
            file.close();
        }
    }
}
