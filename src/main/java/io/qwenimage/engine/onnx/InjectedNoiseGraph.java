package io.qwenimage.engine.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Rewrites a graph that draws its own Gaussian noise so that the noise becomes an input. VAE encoders exported
 * with a {@code latent_sample} output (the legacy diffusers ONNX conversion) sample {@code mean + std * eps} inside
 * the graph with an unseeded {@code RandomNormalLike}: the same request would give a different latent every time.
 * Here that node becomes an {@code Identity} of a new graph input {@value #INPUT} (same element type and shape as
 * the tensor it mimicked), so the engine's seeded noise is the noise the graph uses and the graph's own formula
 * (log-variance clamp, exp, multiply-add) stays untouched.
 *
 * <p>The ONNX file is a protobuf {@code ModelProto}; only the few fields on the way to the node are decoded
 * (model field 7 graph; graph fields 1 node, 5 initializer, 11 input; node fields 1 input, 4 op_type, 5
 * attribute), everything else is copied byte for byte.
 */
public final class InjectedNoiseGraph {

    /** Name of the input that replaces the graph's random node. */
    public static final String INPUT = "qwen_injected_noise";

    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int NODE_DOMAIN = 7;
    private static final int ATTRIBUTE_NAME = 1;
    private static final int ATTRIBUTE_INT = 3;
    private static final int TENSOR_DATA_LOCATION = 14;
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_I64 = 1;
    private static final int WIRE_LEN = 2;
    private static final int WIRE_I32 = 5;

    private InjectedNoiseGraph() {
    }

    /** Why a graph could not be rewritten, or the rewritten model. */
    public sealed interface Outcome {
    }

    /** The graph draws no noise of its own: nothing to do. */
    public record Unchanged() implements Outcome {
    }

    /** The model, its random node now fed by {@link #INPUT}. */
    public record Rewritten(byte[] model) implements Outcome {
    }

    /** The graph samples, but cannot be rewritten here (the reason says why; it keeps its own noise). */
    public record NotRewritable(String reason) implements Outcome {
    }

    /**
     * Rewrites the single {@code RandomNormalLike} node of {@code model}. The noise input has the node's
     * {@code dtype}, or when it names none, the element type of the graph's first input (the tensor it mimics has
     * the graph's compute type: float32, or float16 in a half-precision export).
     */
    public static Outcome rewrite(byte[] model) {
        try {
            return rewriteModel(model);
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            return new NotRewritable("the file is not a well-formed ONNX model (" + e.getMessage() + ")");
        }
    }

    private static Outcome rewriteModel(byte[] model) {
        Reader top = new Reader(model, 0, model.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(model.length + 256);
        Outcome result = new Unchanged();
        while (top.more()) {
            int start = top.pos;
            Field f = top.next();
            if (f.number == MODEL_GRAPH && f.wire == WIRE_LEN && result instanceof Unchanged) {
                Outcome graph = rewriteGraph(model, f.start, f.end);
                if (graph instanceof Rewritten g) {
                    writeTag(out, MODEL_GRAPH, WIRE_LEN);
                    writeBytes(out, g.model());
                    result = graph;
                    continue;
                }
                if (graph instanceof NotRewritable) {
                    return graph;
                }
            }
            out.write(model, start, top.pos - start);
        }
        return result instanceof Rewritten ? new Rewritten(out.toByteArray()) : result;
    }

    private static Outcome rewriteGraph(byte[] b, int from, int to) {
        Reader graph = new Reader(b, from, to);
        int elementType = 1;
        boolean firstInput = true;
        int randomNodes = 0;
        int nodeStart = -1;
        int nodeEnd = -1;
        while (graph.more()) {
            Field f = graph.next();
            if (f.wire != WIRE_LEN) {
                continue;
            }
            if (f.number == GRAPH_NODE && opType(b, f.start, f.end).equals("RandomNormalLike")) {
                randomNodes++;
                nodeStart = f.start;
                nodeEnd = f.end;
            } else if (f.number == GRAPH_INITIALIZER && external(b, f.start, f.end)) {
                return new NotRewritable("its weights are stored outside the graph file (external data)");
            } else if (f.number == GRAPH_INPUT) {
                if (valueName(b, f.start, f.end).equals(INPUT)) {
                    return new Unchanged();     // rewritten before
                }
                if (firstInput) {
                    elementType = elementType(b, f.start, f.end, elementType);
                    firstInput = false;
                }
            }
        }
        if (randomNodes == 0) {
            return new Unchanged();
        }
        if (randomNodes > 1) {
            return new NotRewritable("it has " + randomNodes + " RandomNormalLike nodes, not one");
        }
        Node node = node(b, nodeStart, nodeEnd);
        int type = node.dtype != null ? node.dtype : elementType;
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from + 256);
        Reader copy = new Reader(b, from, to);
        while (copy.more()) {
            int start = copy.pos;
            Field f = copy.next();
            if (f.number == GRAPH_NODE && f.start == nodeStart) {
                writeTag(out, GRAPH_NODE, WIRE_LEN);
                writeBytes(out, identity(node));
            } else {
                out.write(b, start, copy.pos - start);
            }
        }
        writeTag(out, GRAPH_INPUT, WIRE_LEN);
        writeBytes(out, noiseInput(type));
        return new Rewritten(out.toByteArray());
    }

    /** The node as an Identity of the new input, same output and name. */
    private static byte[] identity(Node node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeString(out, NODE_INPUT, INPUT);
        writeString(out, NODE_OUTPUT, node.output);
        if (node.name != null) {
            writeString(out, NODE_NAME, node.name);
        }
        writeString(out, NODE_OP_TYPE, "Identity");
        if (node.domain != null) {
            writeString(out, NODE_DOMAIN, node.domain);
        }
        return out.toByteArray();
    }

    /** ValueInfoProto: name, tensor type of {@code elementType} and rank 4 with named (free) dimensions. */
    private static byte[] noiseInput(int elementType) {
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        for (String dim : new String[] {"noise_batch", "noise_channels", "noise_height", "noise_width"}) {
            ByteArrayOutputStream d = new ByteArrayOutputStream();
            writeString(d, 2, dim);                 // Dimension.dim_param
            writeTag(shape, 1, WIRE_LEN);           // TensorShapeProto.dim
            writeBytes(shape, d.toByteArray());
        }
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        writeTag(tensor, 1, WIRE_VARINT);           // TypeProto.Tensor.elem_type
        writeVarint(tensor, elementType);
        writeTag(tensor, 2, WIRE_LEN);              // TypeProto.Tensor.shape
        writeBytes(tensor, shape.toByteArray());
        ByteArrayOutputStream typeProto = new ByteArrayOutputStream();
        writeTag(typeProto, 1, WIRE_LEN);           // TypeProto.tensor_type
        writeBytes(typeProto, tensor.toByteArray());
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        writeString(value, 1, INPUT);               // ValueInfoProto.name
        writeTag(value, 2, WIRE_LEN);               // ValueInfoProto.type
        writeBytes(value, typeProto.toByteArray());
        return value.toByteArray();
    }

    private record Node(String output, String name, String domain, Integer dtype) {
    }

    private static Node node(byte[] b, int from, int to) {
        Reader r = new Reader(b, from, to);
        String output = null;
        String name = null;
        String domain = null;
        Integer dtype = null;
        while (r.more()) {
            Field f = r.next();
            if (f.wire != WIRE_LEN) {
                continue;
            }
            switch (f.number) {
                case NODE_OUTPUT -> output = f.string(b);
                case NODE_NAME -> name = f.string(b);
                case NODE_DOMAIN -> domain = f.string(b);
                case NODE_ATTRIBUTE -> {
                    Reader a = new Reader(b, f.start, f.end);
                    String attribute = null;
                    Long value = null;
                    while (a.more()) {
                        Field g = a.next();
                        if (g.number == ATTRIBUTE_NAME && g.wire == WIRE_LEN) {
                            attribute = g.string(b);
                        } else if (g.number == ATTRIBUTE_INT && g.wire == WIRE_VARINT) {
                            value = g.varint;
                        }
                    }
                    if ("dtype".equals(attribute) && value != null) {
                        dtype = value.intValue();
                    }
                }
                default -> {
                }
            }
        }
        if (output == null) {
            throw new IllegalStateException("RandomNormalLike node without an output");
        }
        return new Node(output, name, domain, dtype);
    }

    private static String opType(byte[] b, int from, int to) {
        Reader r = new Reader(b, from, to);
        while (r.more()) {
            Field f = r.next();
            if (f.number == NODE_OP_TYPE && f.wire == WIRE_LEN) {
                return f.string(b);
            }
        }
        return "";
    }

    private static String valueName(byte[] b, int from, int to) {
        Reader r = new Reader(b, from, to);
        while (r.more()) {
            Field f = r.next();
            if (f.number == 1 && f.wire == WIRE_LEN) {
                return f.string(b);
            }
        }
        return "";
    }

    /** ValueInfoProto.type.tensor_type.elem_type, or {@code otherwise}. */
    private static int elementType(byte[] b, int from, int to, int otherwise) {
        int[] path = {2, 1};
        int start = from;
        int end = to;
        for (int number : path) {
            Reader r = new Reader(b, start, end);
            boolean found = false;
            while (r.more() && !found) {
                Field f = r.next();
                if (f.number == number && f.wire == WIRE_LEN) {
                    start = f.start;
                    end = f.end;
                    found = true;
                }
            }
            if (!found) {
                return otherwise;
            }
        }
        Reader tensor = new Reader(b, start, end);
        while (tensor.more()) {
            Field f = tensor.next();
            if (f.number == 1 && f.wire == WIRE_VARINT) {
                return (int) f.varint;
            }
        }
        return otherwise;
    }

    private static boolean external(byte[] b, int from, int to) {
        Reader r = new Reader(b, from, to);
        while (r.more()) {
            Field f = r.next();
            if (f.number == TENSOR_DATA_LOCATION && f.wire == WIRE_VARINT && f.varint == 1) {
                return true;
            }
        }
        return false;
    }

    /** One field: its number, wire type, and value (varint, or the byte range of a length-delimited one). */
    private record Field(int number, int wire, long varint, int start, int end) {
        String string(byte[] b) {
            return new String(b, start, end - start, StandardCharsets.UTF_8);
        }
    }

    /** Reads the fields of one message in {@code [pos, end)}. */
    private static final class Reader {
        private final byte[] b;
        private final int end;
        private int pos;

        Reader(byte[] b, int from, int to) {
            this.b = b;
            this.pos = from;
            this.end = to;
        }

        boolean more() {
            return pos < end;
        }

        Field next() {
            long tag = varint();
            int number = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            return switch (wire) {
                case WIRE_VARINT -> new Field(number, wire, varint(), pos, pos);
                case WIRE_I64 -> skip(number, wire, 8);
                case WIRE_I32 -> skip(number, wire, 4);
                case WIRE_LEN -> {
                    long length = varint();
                    if (length < 0 || length > end - pos) {
                        throw new IllegalStateException("field " + number + " runs past its message");
                    }
                    yield skip(number, wire, (int) length);
                }
                default -> throw new IllegalStateException("unknown wire type " + wire + " of field " + number);
            };
        }

        private Field skip(int number, int wire, int length) {
            int start = pos;
            pos += length;
            if (pos > end) {
                throw new IllegalStateException("field " + number + " runs past its message");
            }
            return new Field(number, wire, 0, start, pos);
        }

        private long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IllegalStateException("truncated varint");
                }
                int x = b[pos++];
                value |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("varint longer than 10 bytes");
        }
    }

    private static void writeTag(ByteArrayOutputStream out, int number, int wire) {
        writeVarint(out, ((long) number << 3) | wire);
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static void writeBytes(ByteArrayOutputStream out, byte[] value) {
        writeVarint(out, value.length);
        out.write(value, 0, value.length);
    }

    private static void writeString(ByteArrayOutputStream out, int number, String value) {
        writeTag(out, number, WIRE_LEN);
        writeBytes(out, value.getBytes(StandardCharsets.UTF_8));
    }
}
