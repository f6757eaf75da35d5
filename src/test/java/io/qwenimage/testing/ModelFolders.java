package io.qwenimage.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Model folders for tests that damage or add one: a copy to change without touching the committed model. */
public final class ModelFolders {

    private ModelFolders() {
    }

    /** Copies the folder {@code from} (every file under it) to {@code to}, which must not exist yet. */
    public static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        return to;
    }
}
