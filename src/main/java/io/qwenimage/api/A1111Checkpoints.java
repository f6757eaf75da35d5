package io.qwenimage.api;

/** AUTOMATIC1111's checkpoint names as our model ids: a title is {@code "name [hash]"}, a file name ends in its type. */
final class A1111Checkpoints {

    private A1111Checkpoints() {
    }

    /** The model id {@code checkpoint} names, or null for none. */
    static String id(String checkpoint) {
        if (checkpoint == null || checkpoint.isBlank()) {
            return null;
        }
        String name = checkpoint.trim();
        int hash = name.indexOf(" [");
        if (hash > 0) {
            name = name.substring(0, hash);
        }
        for (String suffix : new String[] {".safetensors", ".ckpt", ".onnx"}) {
            if (name.endsWith(suffix)) {
                name = name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }
}
