package io.qwenimage.engine.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.qwenimage.engine.ModelException;
import java.nio.file.Path;
import java.util.Map;

/** Reads and checks a session's declared inputs and outputs. */
final class Signatures {

    private Signatures() {
    }

    static Map<String, NodeInfo> inputs(OrtSession session, Path file) {
        try {
            return session.getInputInfo();
        } catch (OrtException e) {
            throw ModelException.of(file, "inputs cannot be read (" + e.getMessage() + ")", e);
        }
    }

    static Map<String, NodeInfo> outputs(OrtSession session, Path file) {
        try {
            return session.getOutputInfo();
        } catch (OrtException e) {
            throw ModelException.of(file, "outputs cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** The tensor info of a required input; a missing one names the file, the input and what the graph has. */
    static TensorInfo require(Map<String, NodeInfo> infos, String name, Path file, String role) {
        NodeInfo info = infos.get(name);
        if (info == null || !(info.getInfo() instanceof TensorInfo t)) {
            throw ModelException.of(file, "has no " + role + " '" + name + "' (it has " + infos.keySet()
                    + "); is this a Stable Diffusion export?");
        }
        return t;
    }
}
