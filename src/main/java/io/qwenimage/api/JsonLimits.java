package io.qwenimage.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.security.HttpGuards;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Bounds what a JSON body can make the parser do: our bodies are flat, so deep nesting, huge numbers and strings
 * longer than a base64 upload, repeated fields and trailing content are refused while parsing (400), before any
 * of it is built.
 */
@Singleton
public class JsonLimits implements ObjectMapperCustomizer {

    static final int MAX_NESTING = 16;
    static final int MAX_NUMBER_LENGTH = 64;

    private final long maxDocument;

    public JsonLimits(QwenConfig config) {
        this.maxDocument = HttpGuards.maxRequestBody(config.server().maxFileSize());
    }

    @Override
    public void customize(ObjectMapper mapper) {
        // a repeated field is a malformed body (400), not a puzzle about which value wins
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        // so is anything after the document: "{...} garbage" or two documents, of which only the first was read
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxDocument))
                .maxDocumentLength(maxDocument)
                .build());
    }
}
