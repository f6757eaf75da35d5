package io.qwenimage.service;

import io.qwenimage.config.QwenConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The models the configuration names: {@code qwen.models.entries.<id>.*}; the one model of {@code qwen.model.path}
 * (the single-model setting of earlier versions, id from its folder, loaded at start); or, with neither, the demos:
 * the Stable Diffusion demo bundled in the jar ({@code demo}, loaded at start) and the Qwen-Image demo folder
 * ({@code demo-qwen}, loaded by its first request) when {@code models/demo-qwen} is there. Model folders under
 * {@code qwen.models.dir} are added by their folder names, loaded by their first request.
 */
final class ModelCatalogue {

    static final String BUNDLED = "bundled";
    static final Path QWEN_DEMO = Path.of("models", "demo-qwen");

    private ModelCatalogue() {
    }

    /** The configured models, the single-model one first, then the entries by id. */
    static List<ModelEntry> entries(QwenConfig config) {
        List<ModelEntry> entries = new ArrayList<>();
        Optional<String> single = config.model().path().filter(p -> !p.isBlank());
        single.ifPresent(p -> entries.add(ModelEntry.withDefaults(folderId(Path.of(p)), Optional.of(Path.of(p)), true,
                config.model().device())));
        new TreeMap<>(config.models().entries()).forEach((id, e) -> entries.add(entry(id, e, config)));
        if (entries.isEmpty()) {
            // the bundled demos
            entries.add(ModelEntry.withDefaults("demo", Optional.empty(), true, config.model().device()));
            if (Files.isRegularFile(QWEN_DEMO.resolve("model_index.json"))) {
                entries.add(ModelEntry.withDefaults("demo-qwen", Optional.of(QWEN_DEMO), false,
                        config.model().device()));
            }
        }
        config.models().dir().filter(d -> !d.isBlank()).ifPresent(dir -> foldersIn(Path.of(dir),
                config.model().device()).stream().filter(f -> entries.stream().noneMatch(e -> e.id().equals(f.id())))
                .forEach(entries::add));
        return entries;
    }

    /**
     * The model of requests that name none: {@code qwen.models.default}, else the first loaded at start, else the
     * first.
     */
    static String defaultId(QwenConfig config, List<ModelEntry> entries) {
        return config.models().defaultModel().filter(d -> !d.isBlank())
                .orElseGet(() -> entries.stream().filter(ModelEntry::loadAtStart).findFirst().orElse(entries.get(0))
                        .id());
    }

    /**
     * Refusals at start, each naming its key: duplicate ids, a default that is no model, more models loaded at
     * start than may be loaded at once.
     */
    static void check(QwenConfig config, List<ModelEntry> entries) {
        List<String> ids = entries.stream().map(ModelEntry::id).toList();
        if (ids.stream().distinct().count() != ids.size()) {
            throw new IllegalArgumentException("qwen.models.entries: the id of qwen.model.path's folder ("
                    + ids.get(0) + ") is also an entry's; give the entry another id");
        }
        String defaultId = defaultId(config, entries);
        if (!ids.contains(defaultId)) {
            throw new IllegalArgumentException("qwen.models.default is '" + defaultId + "', which is none of the "
                    + "models " + ids);
        }
        long atStart = entries.stream().filter(ModelEntry::loadAtStart).count();
        if (atStart > config.models().maxLoaded()) {
            throw new IllegalArgumentException("qwen.models.max-loaded is " + config.models().maxLoaded() + " but "
                    + atStart + " models are to be loaded at start (load-at-start=true); raise it or load fewer");
        }
    }

    /** Model folders (with a model_index.json) directly under {@code dir}, by folder name, not loaded at start. */
    static List<ModelEntry> foldersIn(Path dir, String device) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(c -> Files.isRegularFile(c.resolve("model_index.json"))).sorted()
                    .map(c -> ModelEntry.withDefaults(folderId(c), Optional.of(c), false, device)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ModelEntry entry(String id, QwenConfig.Models.Entry e, QwenConfig config) {
        Optional<Path> folder = e.path().filter(p -> !p.isBlank() && !p.equals(BUNDLED)).map(Path::of);
        return new ModelEntry(id, folder, e.loadAtStart(), e.device().orElse(config.model().device()), e.scheduler(),
                e.steps(), e.guidanceScale());
    }

    private static String folderId(Path folder) {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return name == null ? "model" : name.toString();
    }
}
