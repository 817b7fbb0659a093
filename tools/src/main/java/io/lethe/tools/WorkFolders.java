package io.lethe.tools;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The scratch folders the tools' runs create under var/ and delete again, and folders the tools scan. */
public final class WorkFolders {

    private WorkFolders() {
    }

    /**
     * The regular files under {@code root}, of a folder that may be in use: the broker and the stores
     * create and delete temporary files all the time, and one that goes between the listing and the
     * look at it holds nothing to find, so it is skipped rather than failing the scan (a walk with
     * {@code Files.walk} failed a CI run once, on a leader-epoch checkpoint's temporary file).
     */
    public static List<Path> regularFiles(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile()) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // deleted while walking
            }
        });
        return files;
    }

    /** Deletes the folder and everything in it; nothing happens when it does not exist. */
    public static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
