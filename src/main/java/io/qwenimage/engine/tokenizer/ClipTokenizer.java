package io.qwenimage.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenAI CLIP's byte-level BPE tokenizer, reading the Hugging Face files of a diffusers model folder
 * ({@code vocab.json}, {@code merges.txt}, {@code tokenizer_config.json}, {@code special_tokens_map.json}).
 *
 * <p>Text is cleaned (NFC, HTML entities, control characters dropped, whitespace collapsed, lower case), split
 * with CLIP's pattern (letters runs, single digits, punctuation runs, English contractions), each piece mapped
 * byte by byte to CLIP's printable alphabet, its last symbol marked with {@code </w>}, and merged pair by pair,
 * lowest merge rank first. The sequence is {@code <|startoftext|>} + tokens + {@code <|endoftext|>}, truncated
 * to the model's length keeping the end token, padded with the tokenizer's pad token (end-of-text for SD 1.x,
 * {@code !} = 0 for SD 2.x and SD-Turbo). Thread-safe.
 */
public final class ClipTokenizer {

    /** CLIP's sequence length; configs that declare an absurd {@code model_max_length} are clamped to it. */
    public static final int DEFAULT_MAX_LENGTH = 77;

    private static final String BOS = "<|startoftext|>";
    private static final String EOS = "<|endoftext|>";
    private static final Pattern PIECES = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos|nbsp);");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    // 8,192 slots of pieces up to 48 characters: a few MB at most, whatever the prompts
    private static final int CACHE_SLOTS = 8192;
    private static final int CACHE_MAX_PIECE = 48;
    private static final char[] BYTE_TO_CHAR = byteAlphabet();

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final Map<String, Integer> ranks;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final int maxLength;
    private final PieceCache cache = new PieceCache(CACHE_SLOTS, CACHE_MAX_PIECE);

    /**
     * @param vocab     token string to id
     * @param merges    merge rules in rank order, each "left right"
     * @param padToken  the padding token's string (it must be in the vocabulary)
     * @param maxLength sequence length, BOS and EOS included
     */
    public ClipTokenizer(Map<String, Integer> vocab, List<String> merges, String padToken, int maxLength) {
        this.vocab = Map.copyOf(vocab);
        this.ranks = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) {
            ranks.putIfAbsent(merges.get(i), i);
        }
        this.bosId = require(vocab, BOS);
        this.eosId = require(vocab, EOS);
        this.padId = require(vocab, padToken);
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength must leave room for BOS and EOS: " + maxLength);
        }
        this.maxLength = maxLength;
        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        this.idToToken = new String[size];
        vocab.forEach((token, id) -> idToToken[id] = token);
    }

    /** Reads a tokenizer folder; a missing or malformed file is a {@link ModelException} naming it. */
    public static ClipTokenizer load(Path folder) {
        Path vocabFile = folder.resolve("vocab.json");
        Path mergesFile = folder.resolve("merges.txt");
        Map<String, Integer> vocab = new HashMap<>();
        JsonNode vocabJson = JsonFiles.read(vocabFile);
        if (!vocabJson.isObject() || vocabJson.isEmpty()) {
            throw ModelException.of(vocabFile, "expected a JSON object of token -> id");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabJson.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw ModelException.of(vocabFile, "id of token '" + e.getKey() + "' is not a non-negative integer");
            }
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        List<String> merges = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(mergesFile, StandardCharsets.UTF_8)) {
                if (line.startsWith("#version") || line.isBlank()) {
                    continue;
                }
                if (line.trim().split(" ").length != 2) {
                    throw ModelException.of(mergesFile, "line '" + line + "' is not a pair of symbols");
                }
                merges.add(line.trim());
            }
        } catch (IOException e) {
            throw ModelException.of(mergesFile, "cannot be read (" + e.getMessage() + ")", e);
        }
        String pad = EOS;
        int maxLength = DEFAULT_MAX_LENGTH;
        for (String name : List.of("special_tokens_map.json", "tokenizer_config.json")) {
            Path file = folder.resolve(name);
            if (Files.isRegularFile(file)) {
                JsonNode config = JsonFiles.read(file);
                JsonNode padNode = config.path("pad_token");
                String value = padNode.isObject() ? padNode.path("content").asText(null) : padNode.asText(null);
                if (value != null && !value.isEmpty()) {
                    pad = value;
                }
                long declared = config.path("model_max_length").asLong(0);
                if (declared > 2 && declared < DEFAULT_MAX_LENGTH) {
                    maxLength = (int) declared;
                }
            }
        }
        if (!vocab.containsKey(pad)) {
            throw ModelException.of(folder, "pad token '" + pad + "' is not in vocab.json");
        }
        if (!vocab.containsKey(BOS) || !vocab.containsKey(EOS)) {
            throw ModelException.of(vocabFile, "lacks " + BOS + " or " + EOS);
        }
        return new ClipTokenizer(vocab, merges, pad, maxLength);
    }

    /** Tokenizes one prompt into exactly {@link #maxLength()} ids. */
    public TokenizedPrompt encode(String text) {
        List<Integer> tokens = tokens(text);
        int room = maxLength - 2;
        String dropped = "";
        if (tokens.size() > room) {
            dropped = decode(tokens.subList(room, tokens.size()));
            tokens = tokens.subList(0, room);
        }
        int[] ids = new int[maxLength];
        ids[0] = bosId;
        for (int i = 0; i < tokens.size(); i++) {
            ids[i + 1] = tokens.get(i);
        }
        ids[tokens.size() + 1] = eosId;
        for (int i = tokens.size() + 2; i < maxLength; i++) {
            ids[i] = padId;
        }
        return new TokenizedPrompt(ids, tokens.size() + 2, dropped);
    }

    /** The BPE token ids of a text, without BOS, EOS, truncation or padding. */
    public List<Integer> tokens(String text) {
        List<Integer> out = new ArrayList<>();
        Matcher m = PIECES.matcher(clean(text));
        while (m.find()) {
            for (int id : bpe(m.group())) {
                out.add(id);
            }
        }
        return out;
    }

    /** Turns token ids back into text (word ends become spaces); special tokens are kept as written. */
    public String decode(List<Integer> ids) {
        StringBuilder symbols = new StringBuilder();
        for (int id : ids) {
            if (id >= 0 && id < idToToken.length && idToToken[id] != null) {
                symbols.append(idToToken[id]);
            }
        }
        String joined = symbols.toString().replace("</w>", " ");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < joined.length(); i++) {
            char c = joined.charAt(i);
            int b = byteOf(c);
            if (b >= 0) {
                bytes.write(b);
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).trim();
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    public int padId() {
        return padId;
    }

    public int maxLength() {
        return maxLength;
    }

    /** CLIP's cleaning, without ftfy: NFC, HTML entities (twice, as CLIP does), controls, whitespace, lower case. */
    static String clean(String text) {
        String s = unescapeHtml(unescapeHtml(Normalizer.normalize(text, Normalizer.Form.NFC)));
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD) {
                return;
            }
            int type = Character.getType(cp);
            boolean whitespace = Character.isWhitespace(cp) || Character.isSpaceChar(cp);
            if (whitespace) {
                sb.append(' ');
            } else if (type != Character.CONTROL && type != Character.FORMAT) {
                sb.appendCodePoint(cp);
            }
        });
        return SPACES.matcher(sb).replaceAll(" ").trim().toLowerCase(Locale.ROOT);
    }

    private int[] bpe(String piece) {
        if (piece.equals(BOS)) {
            return new int[] {bosId};
        }
        if (piece.equals(EOS)) {
            return new int[] {eosId};
        }
        int[] cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
        List<String> word = new ArrayList<>(utf8.length);
        for (byte b : utf8) {
            word.add(String.valueOf(BYTE_TO_CHAR[b & 0xFF]));
        }
        word.set(word.size() - 1, word.get(word.size() - 1) + "</w>");
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String bestLeft = null;
            String bestRight = null;
            for (int i = 0; i < word.size() - 1; i++) {
                Integer rank = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    bestLeft = word.get(i);
                    bestRight = word.get(i + 1);
                }
            }
            if (bestLeft == null) {
                break;
            }
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); i++) {
                if (i < word.size() - 1 && word.get(i).equals(bestLeft) && word.get(i + 1).equals(bestRight)) {
                    merged.add(bestLeft + bestRight);
                    i++;
                } else {
                    merged.add(word.get(i));
                }
            }
            word = merged;
        }
        int[] ids = new int[word.size()];
        for (int i = 0; i < ids.length; i++) {
            // every byte symbol is in a CLIP vocabulary; a foreign vocabulary without one falls back to CLIP's unk (EOS)
            ids[i] = vocab.getOrDefault(word.get(i), eosId);
        }
        cache.put(piece, ids);
        return ids;
    }

    private static String unescapeHtml(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = ENTITY.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String e = m.group(1);
            String r = switch (e) {
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "quot" -> "\"";
                case "apos" -> "'";
                case "nbsp" -> " ";
                default -> {
                    int cp = e.startsWith("#x") ? Integer.parseInt(e.substring(2), 16) : Integer.parseInt(e.substring(1));
                    yield Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : m.group();
                }
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(r));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** CLIP's byte -> printable character table: printable Latin-1 bytes keep their code, the rest map to 256+. */
    private static char[] byteAlphabet() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : (char) next++;
        }
        return table;
    }

    private static int byteOf(char c) {
        for (int b = 0; b < 256; b++) {
            if (BYTE_TO_CHAR[b] == c) {
                return b;
            }
        }
        return -1;
    }

    private static int require(Map<String, Integer> vocab, String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("vocabulary lacks " + token);
        }
        return id;
    }

    /** The piece cache, for tests of its bound. */
    PieceCache pieceCache() {
        return cache;
    }
}
